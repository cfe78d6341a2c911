from django.apps import AppConfig


class CriticismConfig(AppConfig):
    name = "collegium.criticism"
    label = "criticism"
    verbose_name = "Criticism"

    def ready(self) -> None:
        from collegium.criticism import services
        from collegium.decisions import effects

        effects.register(
            services.SUBJECT_KIND,
            on_final=services.appeal_upheld,
            on_failed=services.appeal_rejected,
            url=lambda subject_id: services.act_url(subject_id),
            label="Appeal against a moderation act",
        )
