from django.apps import AppConfig


class MessageTextsConfig(AppConfig):
    name = "alliance.messagetexts"
    label = "messagetexts"
    verbose_name = "Editable message texts"
