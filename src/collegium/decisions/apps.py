from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "collegium.decisions"
    label = "decisions"
    verbose_name = "Decisions"

    def ready(self) -> None:
        from collegium.decisions import contracts, effects, initiatives

        # Contracts register their ratification effects on import.
        assert contracts.SUBJECT
        effects.register(
            initiatives.SUBJECT,
            url=lambda public_id: f"/initiatives/{public_id}/",
            label="the initiative",
        )
