from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "fabflow.files"
    label = "files"
