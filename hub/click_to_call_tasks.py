"""Celery interface to click-to-call: ids in, one service call, return or retry."""
from celery import shared_task

from hub.services.click_to_call import (PLACE_TASK, WATCH_TASK, click_to_call_place, click_to_call_refresh,
                                        click_to_call_watched, click_to_calls_sweep, enqueue)

WATCH_INTERVAL_SECONDS = 2.0


@shared_task(name=PLACE_TASK)
def place(click_id: int) -> str | None:
    click = click_to_call_place(click_id=click_id)
    if click is None:
        return None
    if click_to_call_watched(click):
        enqueue(WATCH_TASK, click_id, countdown=WATCH_INTERVAL_SECONDS)
    return click.status


@shared_task(name=WATCH_TASK, bind=True, max_retries=None)
def watch(self, click_id: int) -> str:
    click = click_to_call_refresh(click_id=click_id)
    # Eagerly run (tests, scripts) a retry would recurse at once; the sweeper follows instead.
    if click_to_call_watched(click) and not self.request.is_eager:
        raise self.retry(countdown=WATCH_INTERVAL_SECONDS)
    return click.status


@shared_task(name="hub.click_to_call_sweep")
def sweep() -> dict:
    return click_to_calls_sweep()
