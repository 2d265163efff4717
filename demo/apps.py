from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo desk (`load_demo`) and the benchmarks' synthetic dataset (`generate_dataset`)."""

    name = "demo"
