from django.contrib.auth import views as auth_views
from django.urls import path

from webui.views import dashboard

app_name = "webui"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="webui/login.html", redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", dashboard.dashboard, name="dashboard"),
    path("account/switch/", dashboard.switch_account, name="switch-account"),
]
