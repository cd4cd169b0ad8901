"""What makes a killed worker harmless, checked on every run (the worker tests beside this one
need PostgreSQL): every project task is acknowledged late, and a task whose pool process dies is
put back on the queue rather than acknowledged as failed."""
import monitoring.tasks  # noqa: F401 - registers the tasks
import sanctions.tasks  # noqa: F401
from config.celery import app


def test_a_task_whose_worker_dies_goes_back_to_the_queue():
    assert app.conf.task_reject_on_worker_lost is True


def test_every_project_task_is_acknowledged_late():
    project_tasks = {name: task for name, task in app.tasks.items() if name.startswith(("monitoring.", "sanctions."))}

    assert {"sanctions.tasks.sync_list_task", "monitoring.tasks.screen_subjects_task",
            "monitoring.tasks.screening_sweep_task", "monitoring.tasks.rescreen_after_sync_task"} <= set(project_tasks)
    assert [name for name, task in project_tasks.items() if not task.acks_late] == []
