from django.urls import path

from collegium.web.views import notifications

urlpatterns = [
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.notifications_read, name="notifications_read"),
]
