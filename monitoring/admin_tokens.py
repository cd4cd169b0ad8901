"""API tokens in the admin: issue (the secret is shown once, in a message), review, revoke."""
from django import forms
from django.contrib import admin, messages

from .choices import TokenScope
from .models import ApiToken, ScreeningCall
from .tokens import token_issue, token_revoke


class ApiTokenIssueForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=TokenScope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiToken
        fields = ("name", "member_state", "partner", "scopes", "expires_at")

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("member_state")) == bool(cleaned.get("partner")):
            raise forms.ValidationError("Choose either a member state or a partner organisation.")
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "owner_display", "scope_list", "created_at", "expires_at", "revoked_at",
                    "last_used_at")
    list_filter = ("member_state", "partner", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix")
    actions = ["revoke_tokens"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenIssueForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("name", "prefix", "member_state", "partner", "scopes", "created_by", "created_at", "expires_at",
                "revoked_at", "last_used_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "member_state", "partner", "scopes", "expires_at")
        return self.get_readonly_fields(request, obj)

    @admin.display(description="belongs to")
    def owner_display(self, obj):
        return obj.owner

    @admin.display(description="scopes")
    def scope_list(self, obj):
        return ", ".join(obj.scopes)

    def save_model(self, request, obj, form, change):
        if change:
            return  # tokens are not edited: issue a new one and revoke the old
        token, secret = token_issue(
            name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"], actor=request.user,
            member_state=form.cleaned_data.get("member_state"), partner=form.cleaned_data.get("partner"),
            expires_at=form.cleaned_data.get("expires_at"),
        )
        obj.pk = token.pk
        obj._state.adding = False
        self.message_user(request, f"Token issued. Copy it now, it will not be shown again: {secret}",
                          messages.WARNING)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the audit trail keeps who used what

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke_tokens(self, request, queryset):
        for token in queryset:
            token_revoke(token=token, actor=request.user)
        self.message_user(request, f"{queryset.count()} token(s) revoked.", messages.SUCCESS)


@admin.register(ScreeningCall)
class ScreeningCallAdmin(admin.ModelAdmin):
    """Every ad hoc screening through the API, for the team's administrators to audit."""

    list_display = ("at", "caller_label", "query_count", "algorithm_version", "threshold")
    list_filter = (("at", admin.DateFieldListFilter),)
    search_fields = ("caller_label",)
    date_hierarchy = "at"
    readonly_fields = [f.name for f in ScreeningCall._meta.fields]

    @admin.display(description="queries")
    def query_count(self, obj):
        return len(obj.queries or [])

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
