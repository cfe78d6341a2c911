from django.apps import AppConfig


class HousingConfig(AppConfig):
    name = "collegium.housing"
    label = "housing"
    verbose_name = "Housing"

    def ready(self) -> None:
        from collegium.decisions import effects
        from collegium.housing import services

        effects.register(
            services.SUBJECT_KIND,
            on_final=services.allocation_final,
            on_failed=services.allocation_failed,
            url=lambda public_id: f"/housing/allocations/{public_id}/",
            label="Housing allocation",
        )
