from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Benchmark commands (`bench_approve`, `bench_invitations`) and their recorded results.

    Like the demo, it sits above every app and no app imports it: benchmarks time the product's
    services from outside, they are not part of them.
    """

    name = "benchmarks"
    verbose_name = "Benchmarks"
