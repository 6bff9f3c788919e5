"""Account management by the lead office, without the Django admin, the sign-in record, and every user's own
password change (修改密码).

The lead office lists, creates, edits, disables and re-enables accounts and resets passwords; an
inspector may read the lists and changes nothing (403); a liaison gets 403 on the lists and on its own unit's
accounts, 404 on anyone else's (tracker.access). Superusers are out of reach of these pages (404): they are
managed in the Django admin only.
"""

import django_filters
import django_tables2 as tables
from axes.utils import reset as axes_reset
from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from plans.models import Unit
from tracker import access, audit
from tracker.models import LoginEvent, User, generate_password
from tracker.paging import PagedTableMixin
from tracker.security import locked_out_addresses, lockout_policy


def show_password_once(request: HttpRequest, account: User, password: str, *, created: bool) -> HttpResponse:
    response = render(
        request, "tracker/accounts/password.html", {"account": account, "password": password, "created": created}
    )
    response["Cache-Control"] = "no-store"
    return response


# --- forms -----------------------------------------------------------------------------------------

class PasswordChoiceForm(forms.Form):
    """Either a generated password (shown once) or one typed twice that passes the validators."""

    MODES = [("generate", "自动生成随机密码（仅显示一次）"), ("set", "自行设置密码")]
    mode = forms.ChoiceField(label="密码", choices=MODES, initial="generate", widget=forms.RadioSelect)
    password1 = forms.CharField(label="新密码", required=False, strip=False, widget=forms.PasswordInput,
                                help_text=" ".join(password_validators_help_texts()))
    password2 = forms.CharField(label="再次输入新密码", required=False, strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, account: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account

    def clean(self):
        data = super().clean()
        if data.get("mode") == "set":
            password1, password2 = data.get("password1") or "", data.get("password2") or ""
            if not password1:
                self.add_error("password1", "请输入新密码。")
            elif password1 != password2:
                self.add_error("password2", "两次输入的密码不一致。")
            else:
                try:
                    validate_password(password1, user=self.account)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return data

    def chosen_password(self) -> str:
        return self.cleaned_data["password1"] if self.cleaned_data["mode"] == "set" else generate_password()


class OwnPasswordForm(PasswordChangeForm):
    """The current password, then the new one twice, checked by AUTH_PASSWORD_VALIDATORS (Django's form)."""

    error_messages = {
        "password_incorrect": "当前密码不正确，请重新输入。",
        "password_mismatch": "两次输入的新密码不一致。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "当前密码"
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password1"].help_text = " ".join(password_validators_help_texts())
        self.fields["new_password2"].label = "再次输入新密码"

    def clean_new_password1(self):
        password = self.cleaned_data.get("new_password1")
        if password and password == self.cleaned_data.get("old_password"):
            raise forms.ValidationError("新密码不能与当前密码相同。", code="password_unchanged")
        return password


class AccountForm(forms.ModelForm):
    """Name, role, unit and contact details. A liaison needs a unit; other roles have none."""

    name = forms.CharField(label="姓名", max_length=150)

    class Meta:
        model = User
        fields = ["username", "name", "role", "unit", "phone", "email"]
        labels = {"username": "用户名", "email": "邮箱"}
        help_texts = {"username": "登录用，只能包含字母、数字和 @ . + - _ ，创建后不能修改。"}

    def __init__(self, *args, user: User, editing_self: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing_self:  # the lead office cannot demote itself out of these pages
            del self.fields["role"]
        self.fields["unit"].queryset = access.units_for(user).filter(is_active=True)
        self.fields["unit"].required = False
        self.fields["unit"].empty_label = "（无）"
        if self.instance.pk:
            self.fields["name"].initial = self.instance.get_full_name()
            del self.fields["username"]

    def clean(self):
        data = super().clean()
        role = data.get("role", self.instance.role)
        if role == User.Role.UNIT and not data.get("unit"):
            self.add_error("unit", "责任单位联络员必须选择所属单位。")
        elif role != User.Role.UNIT:
            data["unit"] = None
        return data

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        # One field for the whole Chinese name: it lives in last_name (get_full_name() joins both).
        user.last_name, user.first_name = self.cleaned_data["name"].strip(), ""
        user.unit = self.cleaned_data["unit"]
        if commit:
            user.save()
        return user


# --- account list ----------------------------------------------------------------------------------

class AccountFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="用户名或姓名", method="search")
    role = django_filters.ChoiceFilter(label="角色", choices=User.Role.choices, empty_label="全部")
    unit = django_filters.ModelChoiceFilter(label="所属单位", queryset=Unit.objects.none(), empty_label="全部")
    is_active = django_filters.BooleanFilter(
        label="状态", widget=forms.Select(choices=[("", "全部"), ("true", "启用"), ("false", "已停用")])
    )

    class Meta:
        model = User
        fields = ["q", "role", "unit", "is_active"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = access.units_for(user)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(username__icontains=value) | Q(last_name__icontains=value) | Q(first_name__icontains=value)
        )


class AccountTable(tables.Table):
    username = tables.LinkColumn("accounts:edit", args=[tables.A("pk")], verbose_name="用户名")
    name = tables.Column(verbose_name="姓名", accessor="get_full_name", order_by=("last_name", "first_name"))
    role = tables.Column(verbose_name="角色")
    unit = tables.Column(verbose_name="所属单位")
    phone = tables.Column(verbose_name="联系电话")
    is_active = tables.BooleanColumn(verbose_name="状态", yesno="启用,已停用")
    last_login = tables.DateTimeColumn(verbose_name="最近登录", format="Y年n月j日 H:i")

    class Meta:
        model = User
        fields = ["username", "name", "role", "unit", "phone", "is_active", "last_login"]
        order_by = ["role", "unit", "username"]
        empty_text = "没有符合条件的账号。"
        attrs = {"class": "accounts"}

    def __init__(self, *args, can_edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_edit:
            self.columns["username"].link = None


class AccountListView(PagedTableMixin, FilterView):
    template_name = "tracker/accounts/list.html"
    table_class = AccountTable
    filterset_class = AccountFilter

    def get_queryset(self):
        return access.accounts_for(self.request.user).select_related("unit").order_by("role", "username")

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_table_kwargs(self):
        return {"can_edit": self.request.user.is_lead}


# --- changing accounts (lead office only) ----------------------------------------------------------

@access.lead_only
def account_create(request: HttpRequest) -> HttpResponse:
    form = AccountForm(request.POST or None, user=request.user, initial={"role": User.Role.UNIT})
    password_form = PasswordChoiceForm(request.POST or None, account=None)
    if request.method == "POST" and form.is_valid():
        # The similarity validator needs the account's name and user name before it exists.
        password_form.account = User(username=form.cleaned_data["username"], last_name=form.cleaned_data["name"])
        if password_form.is_valid():
            with transaction.atomic():
                account = form.save(commit=False)
                password = password_form.chosen_password()
                account.set_password(password)
                account.save()
            messages.success(request, f"已创建账号 {account.username}。")
            return show_password_once(request, account, password, created=True)
    return render(request, "tracker/accounts/form.html", {"form": form, "password_form": password_form})


@access.signed_in
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = access.get_account_for_user(request.user, pk, write=request.method == "POST")
    access.require_lead(request.user)
    form = AccountForm(request.POST or None, user=request.user, instance=account,
                       editing_self=account == request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"已保存账号 {account.username} 的信息。")
        return redirect("accounts:edit", pk=account.pk)
    return render(request, "tracker/accounts/form.html", {
        "form": form,
        "account": account,
        "password_form": PasswordChoiceForm(account=account),
        "events": account.login_events.all()[:10],
        "locked_from": locked_out_addresses(account.username),
    })


@access.signed_in
@require_POST
def account_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    account = access.get_account_for_user(request.user, pk, write=True)
    access.require_lead(request.user)
    active = request.POST.get("active") == "1"
    if account == request.user and not active:
        messages.error(request, "不能停用自己正在使用的账号。")
    else:
        account.is_active = active
        account.save(update_fields=["is_active"])
        # A disabled account's open sessions stop working at its next request (ModelBackend refuses it).
        messages.success(request, f"已{'启用' if active else '停用'}账号 {account.username}。")
    return redirect("accounts:edit", pk=account.pk)


@access.signed_in
@require_POST
def account_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = access.get_account_for_user(request.user, pk, write=True)
    access.require_lead(request.user)
    form = PasswordChoiceForm(request.POST, account=account)
    if not form.is_valid():
        return render(request, "tracker/accounts/form.html", {
            "form": AccountForm(user=request.user, instance=account, editing_self=account == request.user),
            "account": account,
            "password_form": form,
            "events": account.login_events.all()[:10],
        }, status=400)
    password = form.chosen_password()
    with transaction.atomic():
        account.set_password(password)  # also ends the account's open sessions (session hash changes)
        account.save(update_fields=["password"])
    axes_reset(username=account.username)  # a reset also lifts a lockout
    return show_password_once(request, account, password, created=False)


@access.signed_in
@require_POST
def account_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    account = access.get_account_for_user(request.user, pk, write=True)
    access.require_lead(request.user)
    axes_reset(username=account.username)
    messages.success(request, f"已解除账号 {account.username} 的登录锁定。")
    return redirect("accounts:edit", pk=account.pk)


# --- sign-in record --------------------------------------------------------------------------------

class LoginEventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="事件", choices=LoginEvent.Kind.choices, empty_label="全部")
    username = django_filters.CharFilter(label="用户名", lookup_expr="icontains")
    ip_address = django_filters.CharFilter(label="IP地址", lookup_expr="startswith")
    since = django_filters.DateFilter(label="起始日期", field_name="at", lookup_expr="date__gte",
                                      widget=forms.DateInput(attrs={"type": "date"}))
    until = django_filters.DateFilter(label="截止日期", field_name="at", lookup_expr="date__lte",
                                      widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = LoginEvent
        fields = ["kind", "username", "ip_address", "since", "until"]


class LoginEventTable(tables.Table):
    at = tables.DateTimeColumn(verbose_name="时间", format="Y年n月j日 H:i:s")
    kind = tables.Column(verbose_name="事件")
    username = tables.Column(verbose_name="用户名")
    user = tables.Column(verbose_name="姓名", empty_values=(None,), default="（无此用户）", orderable=False)
    ip_address = tables.Column(verbose_name="IP地址")
    user_agent = tables.Column(verbose_name="浏览器", attrs={"td": {"class": "agent"}})

    class Meta:
        model = LoginEvent
        fields = ["at", "kind", "username", "user", "ip_address", "user_agent"]
        empty_text = "没有符合条件的记录。"

    def render_kind(self, record, value):
        return record.get_kind_display()


class LoginEventListView(PagedTableMixin, FilterView):
    template_name = "tracker/accounts/events.html"
    table_class = LoginEventTable
    filterset_class = LoginEventFilter

    def get_queryset(self):
        return access.login_events_for(self.request.user).select_related("user")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **lockout_policy()}


@access.own_account
def password_change(request: HttpRequest) -> HttpResponse:
    """修改密码, for every signed-in user. The session in use stays signed in; every other session of the user
    ends at its next request (the password is part of each session's check, update_session_auth_hash renews
    only this one's)."""
    form = OwnPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            audit.record(LoginEvent.Kind.PASSWORD, request, user=user)
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。其他设备和浏览器上的登录已失效，需用新密码重新登录。")
        return redirect("home")
    response = render(request, "tracker/accounts/password_change.html", {"form": form},
                      status=400 if request.method == "POST" else 200)
    response["Cache-Control"] = "no-store"
    return response


app_name = "accounts"
urlpatterns = [
    path("", access.overseers_only(AccountListView.as_view()), name="list"),
    path("new/", account_create, name="create"),
    path("<int:pk>/", account_edit, name="edit"),
    path("<int:pk>/active/", account_set_active, name="set_active"),
    path("<int:pk>/password/", account_reset_password, name="reset_password"),
    path("<int:pk>/unlock/", account_unlock, name="unlock"),
    path("events/", access.overseers_only(LoginEventListView.as_view()), name="events"),
    path("password/", password_change, name="password_change"),
]
