"""Task names outlive the modules that define them: messages already on the broker, the
beat schedule and CELERY_TASK_ROUTES name tasks by string, so moving a module (as the
machinery moved into alliance.core) must not rename its tasks."""

import fnmatch

from django.conf import settings

from alliance.celery import app


def registered_task_names() -> set[str]:
    app.loader.import_default_modules()
    return set(app.tasks)


def test_the_tasks_that_moved_into_core_keep_their_names():
    from alliance.core.api import tasks as api_tasks
    from alliance.core.outbox import tasks as outbox_tasks

    assert outbox_tasks.deliver_messages.name == "alliance.outbox.tasks.deliver_messages"
    assert outbox_tasks.sweep_outbox.name == "alliance.outbox.tasks.sweep_outbox"
    assert api_tasks.deliver_webhook.name == "alliance.api.tasks.deliver_webhook"
    assert api_tasks.sweep_webhooks.name == "alliance.api.tasks.sweep_webhooks"
    assert (
        api_tasks.forget_old_idempotent_requests.name
        == "alliance.api.tasks.forget_old_idempotent_requests"
    )


def test_every_scheduled_task_is_a_registered_task():
    names = registered_task_names()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in names


def test_every_route_matches_a_registered_task():
    names = registered_task_names()
    for pattern in settings.CELERY_TASK_ROUTES:
        assert fnmatch.filter(names, pattern), pattern


def test_email_tasks_go_to_the_email_queue():
    from alliance.core.outbox.tasks import deliver_messages

    route = app.amqp.router.route({}, deliver_messages.name)
    assert route["queue"].name == "email"
