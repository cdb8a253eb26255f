"""Background work of the statistics: a build (linkage and tables) runs on the worker."""

from django_tasks import task


@task()
def build_statistics(run_id: int) -> str:
    from samverkan.statistics.services import statistics_run_execute

    return statistics_run_execute(run_id).status
