from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "samverkan.web"
    verbose_name = "Web"
