from django.apps import AppConfig


class MessageTextsConfig(AppConfig):
    name = "alliance.core.messagetexts"
    label = "messagetexts"
    verbose_name = "Editable message texts"
