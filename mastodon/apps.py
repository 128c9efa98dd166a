from django.apps import AppConfig


class MastodonConfig(AppConfig):
    name = "mastodon"
    verbose_name = "Mastodon client API"
