from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("signup", views.signup, name="signup"),
    path("login", views.LoginView.as_view(), name="login"),
    path("logout", views.LogoutView.as_view(), name="logout"),
    path("settings/profile", views.edit_profile, name="edit_profile"),
    path("settings/account", views.account_settings, name="settings"),
    path("settings/password", views.password_change, name="password_change"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
