from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.account, name="account"),
    path("signup/", views.signup, name="signup"),
    path("signin/", views.signin, name="signin"),
    path("code/", views.code, name="code"),
    path("signin/link/<str:token>/", views.signin_link, name="signin_link"),
    path("signup/confirm/<str:token>/", views.signup_link, name="signup_link"),
    path("email/confirm/<str:token>/", views.email_link, name="email_link"),
    path("signout/", views.signout, name="signout"),
    path("signout/everywhere/", views.signout_everywhere, name="signout_everywhere"),
    path("name/", views.change_name, name="change_name"),
    path("email/", views.change_email, name="change_email"),
    path("export/", views.export_data, name="export"),
    path("delete/", views.delete_account, name="delete"),
    path("deleted/", views.account_deleted, name="deleted"),
    path("confirm/", views.reauth, name="reauth"),
    path("confirm/code/", views.reauth_code, name="reauth_code"),
    path("confirm/link/<str:token>/", views.reauth_link, name="reauth_link"),
    path("plans/", views.plans, name="plans"),
    path("offer/<slug:code>/", views.offer, name="offer"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/done/", views.checkout_done, name="checkout_done"),
    path("checkout/test/", views.dummy_checkout, name="dummy_checkout"),
    path("billing/", views.billing, name="billing"),
    path("webhooks/payments/", views.provider_webhook, name="webhook"),
]
