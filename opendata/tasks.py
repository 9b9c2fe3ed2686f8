"""Celery tasks: thin, they call one service."""

from celery import shared_task

from opendata import services


@shared_task(name="opendata.tasks.rebuild_open_data")
def rebuild_open_data(force: bool = False) -> str:
    return services.open_data_refresh(force=force)["built_at"]
