"""The administration pages: staff accounts, settings, organisation, root-cause themes and message wording."""

from flask import Blueprint, abort, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from portal.access import enforce_route_access, may_use
from portal.admin.forms import (
    COUNTS_FROM_NAMES,
    REGION_NAMES,
    ROLE_HINTS,
    ROLE_NAMES,
    DirectorateForm,
    EmailForm,
    MessageTemplateForm,
    NewUserForm,
    PasswordForm,
    PresetForm,
    RenameForm,
    ServiceAreaForm,
    ThemeForm,
    TimescaleForm,
    UserDetailsForm,
)
from portal.auth.forms import guessable_password_message
from portal.htmx import redirect_to
from portal.labels import PROCESSES
from portal.languages import NATIVE_NAMES
from portal.services import mfa
from portal.services.message_templates import (
    PLACEHOLDERS,
    TEMPLATE_KEYS,
    TEMPLATE_NAMES,
    TemplateProblem,
    check_message_template,
    get_message_template,
    list_message_templates,
    restore_default_template,
    save_message_template,
)
from portal.services.organisation import (
    DuplicateName,
    NotFound,
    add_directorate,
    add_service_area,
    add_theme,
    get_directorate,
    get_service_area,
    get_theme,
    list_all_directorates,
    rename_directorate,
    rename_service_area,
    rename_theme,
    set_service_area_active,
    set_theme_active,
    theme_tree,
)
from portal.services.staff_sessions import open_sessions
from portal.services.timescales import (
    InvalidTimescale,
    apply_timescale_preset,
    find_timescale,
    list_timescales,
    update_timescale,
)
from portal.services.users import (
    MIN_PASSWORD_LENGTH,
    CannotLockOutSelf,
    EmailTaken,
    PasswordTooGuessable,
    PasswordTooLong,
    PasswordTooShort,
    change_email,
    create_user,
    get_user,
    list_users,
    set_password,
    set_user_active,
    sign_out_everywhere,
    update_user,
)

bp = Blueprint("admin", __name__, url_prefix="/staff/admin")
bp.before_request(enforce_route_access)

SECTIONS = (
    ("admin.users", _l("Staff accounts"), _l("Add people, change their role and service areas, disable accounts.")),
    ("admin.settings", _l("Timescales and calendar"), _l("How many working days each stage has.")),
    (
        "admin.service_areas",
        _l("Directorates and service areas"),
        _l("What residents choose from, and where cases go."),
    ),
    ("admin.themes", _l("Root-cause themes"), _l("The themes and details recorded with each response.")),
    ("admin.message_templates", _l("Message wording"), _l("The wording of messages to residents, per language.")),
    ("admin.case_views_page", _l("Who looked at cases"), _l("Each time staff opened a case or its files.")),
    (
        "admin.personal_data",
        _l("A resident’s personal data"),
        _l("Find a resident’s cases by email address, download a copy of their data or erase it."),
    ),
)


def _errors(form) -> list[dict]:
    return [{"text": message, "href": "#main-content"} for message in form.form_errors] + form.error_list()


@bp.get("/")
def index():
    sections = [(endpoint, title, text) for endpoint, title, text in SECTIONS if may_use(endpoint)]
    return render_template("admin/index.html", sections=sections)


# Staff accounts


def _service_area_choices(account=None) -> list[tuple[str, str]]:
    """Every active service area, and any retired one the account still has (so saving does not drop it)."""
    kept = {area.id for area in account.service_areas} if account else set()
    choices = []
    for directorate in list_all_directorates():
        for area in directorate.service_areas:
            if area.active or area.id in kept:
                label = f"{directorate.name}: {area.name}"
                choices.append((str(area.id), label if area.active else _("%(name)s (retired)", name=label)))
    return choices


def _role_items(form) -> list[dict]:
    """Each role's radio with a hint saying what it may do."""
    return [{"hint": {"text": str(ROLE_HINTS[choice[0]])}} for choice in form.role.choices]


def _user_or_404(user_id: int):
    account = get_user(user_id)
    if account is None:
        abort(404)
    return account


@bp.get("/users")
def users():
    return render_template("admin/users.html", users=list_users(), role_names=ROLE_NAMES)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = NewUserForm()
    form.service_areas.choices = _service_area_choices()
    if form.validate_on_submit():
        try:
            account = create_user(
                form.email.data,
                form.role.data,
                form.password.data,
                name=form.name.data,
                service_area_ids=[int(value) for value in form.service_areas.data],
                actor=current_user,
            )
        except EmailTaken:
            form.email.errors.append(_("An account with this email address already exists"))
        except PasswordTooShort:
            form.password.errors.append(_("Password must be %(min)d characters or more", min=MIN_PASSWORD_LENGTH))
        except PasswordTooLong:
            form.password.errors.append(_("Password is too long"))
        except PasswordTooGuessable as refused:
            form.password.errors.append(guessable_password_message(refused))
        else:
            flash(_("Account created for %(email)s.", email=account.email), "success")
            return redirect_to(url_for("admin.user", user_id=account.id))
    return render_template("admin/new_user.html", form=form, errors=form.error_list(), role_hints=ROLE_HINTS)


def _render_user(account, form, errors=None):
    return render_template(
        "admin/user.html",
        account=account,
        form=form,
        errors=errors if errors is not None else form.error_list(),
        role_names=ROLE_NAMES,
        role_items=_role_items(form),
        is_self=account.id == current_user.id,
        open_session_count=len(open_sessions(account)),
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    account = _user_or_404(user_id)
    form = UserDetailsForm(
        data={
            "name": account.name,
            "role": account.role,
            "service_areas": [str(area.id) for area in account.service_areas],
        }
    )
    form.service_areas.choices = _service_area_choices(account)
    if form.validate_on_submit():
        try:
            changed = update_user(
                account,
                current_user,
                form.name.data,
                form.role.data,
                [int(value) for value in form.service_areas.data],
            )
        except CannotLockOutSelf:
            form.role.errors.append(_("You cannot remove your own administrator role"))
        else:
            flash(_("Changes saved.") if changed else _("Nothing was changed."), "success" if changed else "info")
            return redirect_to(url_for("admin.user", user_id=account.id))
    return _render_user(account, form)


def _set_active(user_id: int, active: bool):
    account = _user_or_404(user_id)
    try:
        set_user_active(account, current_user, active)
    except CannotLockOutSelf:
        form = UserDetailsForm(
            formdata=None,
            data={
                "name": account.name,
                "role": account.role,
                "service_areas": [str(area.id) for area in account.service_areas],
            },
        )
        form.service_areas.choices = _service_area_choices(account)
        message = _("You cannot disable your own account")
        return _render_user(account, form, errors=[{"text": message, "href": "#account-status"}])
    if active:
        flash(_("%(email)s can sign in again.", email=account.email), "success")
    else:
        flash(_("%(email)s can no longer sign in.", email=account.email), "success")
    return redirect_to(url_for("admin.user", user_id=account.id))


@bp.post("/users/<int:user_id>/disable")
def disable_user(user_id: int):
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/enable")
def enable_user(user_id: int):
    return _set_active(user_id, True)


@bp.post("/users/<int:user_id>/reset-authenticator")
def reset_authenticator(user_id: int):
    account = _user_or_404(user_id)
    mfa.reset(account, current_user)
    flash(_("%(email)s will set up an authenticator app when they next sign in.", email=account.email), "success")
    return redirect_to(url_for("admin.user", user_id=account.id))


@bp.post("/users/<int:user_id>/sign-out")
def sign_out_user(user_id: int):
    account = _user_or_404(user_id)
    if account.id == current_user.id:
        abort(400)  # the page offers it only for others: their own are on "Your account"
    ended = sign_out_everywhere(account, current_user)
    flash(
        ngettext(
            "%(email)s was signed out of %(num)d browser.",
            "%(email)s was signed out of %(num)d browsers.",
            ended,
            email=account.email,
        ),
        "success",
    )
    return redirect_to(url_for("admin.user", user_id=account.id))


@bp.route("/users/<int:user_id>/email", methods=["GET", "POST"])
def user_email(user_id: int):
    account = _user_or_404(user_id)
    form = EmailForm(data={"email": account.email})
    if form.validate_on_submit():
        old_email = account.email
        try:
            changed = change_email(account, current_user, form.email.data)
        except EmailTaken:
            form.email.errors.append(_("An account with this email address already exists"))
        else:
            if changed:
                message = _("%(old)s now signs in as %(new)s.", old=old_email, new=account.email)
                flash(message, "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect_to(url_for("admin.user", user_id=account.id))
    return render_template("admin/user_email.html", account=account, form=form, errors=form.error_list())


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def user_password(user_id: int):
    account = _user_or_404(user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            set_password(account, current_user, form.password.data)
        except (PasswordTooShort, PasswordTooLong):
            form.password.errors.append(_("Enter a password of the right length"))
        except PasswordTooGuessable as refused:
            form.password.errors.append(guessable_password_message(refused))
        else:
            flash(_("New password set for %(email)s. Tell them it in a safe way.", email=account.email), "success")
            return redirect_to(url_for("admin.user", user_id=account.id))
    return render_template("admin/user_password.html", account=account, form=form, errors=form.error_list())


# Settings: timescales and the working-day calendar


def _render_settings(preset_form):
    region = current_app.config["WORKING_DAY_REGION"]
    return render_template(
        "admin/settings.html",
        timescales=list_timescales(),
        form=preset_form,
        errors=preset_form.error_list(),
        region=region,
        region_name=REGION_NAMES.get(region),
        process_names=PROCESSES,
        counts_from_names=COUNTS_FROM_NAMES,
    )


@bp.get("/settings")
def settings():
    return _render_settings(PresetForm())


@bp.post("/settings/preset")
def apply_preset():
    form = PresetForm()
    if form.validate_on_submit():
        changes = apply_timescale_preset(form.preset.data, actor=current_user)
        if changes:
            flash(ngettext("%(num)d timescale changed.", "%(num)d timescales changed.", len(changes)), "success")
        else:
            flash(_("The timescales were already set that way."), "info")
        return redirect_to(url_for("admin.settings"))
    return _render_settings(form)


@bp.route("/settings/timescales/<int:timescale_id>", methods=["GET", "POST"])
def timescale(timescale_id: int):
    found = find_timescale(timescale_id)
    if found is None:
        abort(404)
    form = TimescaleForm(
        data={
            "working_days": found.working_days,
            "max_working_days": found.max_working_days,
            "counts_from": found.counts_from,
        }
    )
    if form.validate_on_submit():
        try:
            changed = update_timescale(
                found, current_user, form.working_days.data, form.max_working_days.data, form.counts_from.data
            )
        except InvalidTimescale as error:
            form.form_errors.append(str(error))
        else:
            flash(_("Timescale saved.") if changed else _("Nothing was changed."), "success" if changed else "info")
            return redirect_to(url_for("admin.settings"))
    return render_template(
        "admin/timescale.html",
        timescale=found,
        process_name=PROCESSES.get(found.process, found.process),
        form=form,
        errors=_errors(form),
    )


# Directorates and service areas


@bp.get("/service-areas")
def service_areas():
    return render_template("admin/service_areas.html", directorates=list_all_directorates())


def _changed(message: str, endpoint: str):
    flash(message, "success")
    return redirect_to(url_for(endpoint))


def _name_page(form, heading: str, intro: str, back_endpoint: str):
    """Render the one-field page that adds or renames a directorate, service area or theme."""
    return render_template(
        "admin/name_form.html",
        form=form,
        errors=form.error_list(),
        heading=heading,
        intro=intro,
        back=url_for(back_endpoint),
    )


@bp.route("/service-areas/directorates/new", methods=["GET", "POST"])
def new_directorate():
    form = DirectorateForm()
    if form.validate_on_submit():
        try:
            add_directorate(current_user, form.name.data)
        except DuplicateName:
            form.name.errors.append(_("There is already a directorate with this name"))
        else:
            return _changed(_("Directorate %(name)s added.", name=form.name.data), "admin.service_areas")
    return _name_page(
        form,
        _("Add a directorate"),
        _("Residents see a directorate once it has a service area."),
        "admin.service_areas",
    )


@bp.route("/service-areas/directorates/<int:directorate_id>", methods=["GET", "POST"])
def directorate(directorate_id: int):
    found = get_directorate(directorate_id)
    if found is None:
        abort(404)
    form = RenameForm(data={"name": found.name})
    if form.validate_on_submit():
        try:
            rename_directorate(current_user, found, form.name.data)
        except DuplicateName:
            form.name.errors.append(_("There is already a directorate with this name"))
        else:
            return _changed(_("Directorate renamed."), "admin.service_areas")
    return _name_page(form, _("Rename the directorate %(name)s", name=found.name), None, "admin.service_areas")


@bp.route("/service-areas/new", methods=["GET", "POST"])
def new_service_area():
    form = ServiceAreaForm(data={"directorate": request.args.get("directorate", "")})
    form.directorate.choices = [("", _("Choose a directorate"))] + [
        (str(d.id), d.name) for d in list_all_directorates()
    ]
    if form.validate_on_submit():
        try:
            add_service_area(current_user, int(form.directorate.data), form.name.data)
        except DuplicateName:
            form.name.errors.append(_("This directorate already has a service area with this name"))
        except (NotFound, ValueError):
            form.directorate.errors.append(_("Select a directorate"))
        else:
            return _changed(_("Service area %(name)s added.", name=form.name.data), "admin.service_areas")
    return _name_page(form, _("Add a service area"), _("Residents can choose it straight away."), "admin.service_areas")


def _service_area_or_404(area_id: int):
    area = get_service_area(area_id)
    if area is None:
        abort(404)
    return area


@bp.route("/service-areas/<int:area_id>", methods=["GET", "POST"])
def service_area(area_id: int):
    area = _service_area_or_404(area_id)
    form = RenameForm(data={"name": area.name})
    if form.validate_on_submit():
        try:
            rename_service_area(current_user, area, form.name.data)
        except DuplicateName:
            form.name.errors.append(_("This directorate already has a service area with this name"))
        else:
            return _changed(_("Service area renamed."), "admin.service_areas")
    return _name_page(
        form,
        _("Rename the service area %(name)s", name=area.name),
        _("Cases already in this service area show the new name."),
        "admin.service_areas",
    )


@bp.post("/service-areas/<int:area_id>/retire")
def retire_service_area(area_id: int):
    area = _service_area_or_404(area_id)
    set_service_area_active(current_user, area, False)
    return _changed(
        _("%(name)s retired: residents are no longer offered it, and cases in it keep it.", name=area.name),
        "admin.service_areas",
    )


@bp.post("/service-areas/<int:area_id>/restore")
def restore_service_area(area_id: int):
    area = _service_area_or_404(area_id)
    set_service_area_active(current_user, area, True)
    return _changed(_("%(name)s restored: residents can choose it again.", name=area.name), "admin.service_areas")


# Root-cause themes


@bp.get("/themes")
def themes():
    return render_template("admin/themes.html", themes=theme_tree())


@bp.route("/themes/new", methods=["GET", "POST"])
def new_theme():
    form = ThemeForm(data={"parent": request.args.get("parent", "")})
    form.parent.choices = [("", _("A new top-level theme"))] + [
        (str(top.id), _("A detail under %(name)s", name=top.name)) for top in theme_tree()
    ]
    if form.validate_on_submit():
        parent_id = int(form.parent.data) if form.parent.data else None
        try:
            add_theme(current_user, form.name.data, parent_id)
        except DuplicateName:
            form.name.errors.append(_("There is already a theme with this name in the same place"))
        except NotFound:
            form.parent.errors.append(_("Select where the theme goes"))
        else:
            return _changed(_("Theme %(name)s added.", name=form.name.data), "admin.themes")
    return _name_page(form, _("Add a root-cause theme"), _("Officers can choose it when they respond."), "admin.themes")


def _theme_or_404(theme_id: int):
    found = get_theme(theme_id)
    if found is None:
        abort(404)
    return found


@bp.route("/themes/<int:theme_id>", methods=["GET", "POST"])
def theme(theme_id: int):
    found = _theme_or_404(theme_id)
    form = RenameForm(data={"name": found.name})
    if form.validate_on_submit():
        try:
            rename_theme(current_user, found, form.name.data)
        except DuplicateName:
            form.name.errors.append(_("There is already a theme with this name in the same place"))
        else:
            return _changed(_("Theme renamed."), "admin.themes")
    return _name_page(
        form,
        _("Rename the theme %(name)s", name=found.name),
        _("Responses that recorded this theme show the new name."),
        "admin.themes",
    )


@bp.post("/themes/<int:theme_id>/retire")
def retire_theme(theme_id: int):
    found = _theme_or_404(theme_id)
    set_theme_active(current_user, found, False)
    return _changed(
        _("%(name)s retired: it is no longer offered, and responses that recorded it keep it.", name=found.name),
        "admin.themes",
    )


@bp.post("/themes/<int:theme_id>/restore")
def restore_theme(theme_id: int):
    found = _theme_or_404(theme_id)
    set_theme_active(current_user, found, True)
    return _changed(_("%(name)s restored.", name=found.name), "admin.themes")


# Message wording


@bp.get("/message-templates")
def message_templates():
    return render_template(
        "admin/message_templates.html",
        templates=list_message_templates(current_app.config["LANGUAGES"]),
        language_names=NATIVE_NAMES,
    )


def _check_template_address(key: str, language: str) -> None:
    if key not in TEMPLATE_KEYS or language not in current_app.config["LANGUAGES"]:
        abort(404)


@bp.route("/message-templates/<key>/<language>", methods=["GET", "POST"])
def message_template(key: str, language: str):
    _check_template_address(key, language)
    subject, body, is_default = get_message_template(key, language)
    form = MessageTemplateForm(data={"subject": subject, "body": body})
    preview = None
    if form.validate_on_submit():
        try:
            preview = check_message_template(key, language, form.subject.data, form.body.data)
        except TemplateProblem as problem:
            if problem.part == "subject":
                form.subject.errors.append(_("Subject cannot be used: %(problem)s", problem=str(problem)))
            else:
                form.body.errors.append(_("Message cannot be used: %(problem)s", problem=str(problem)))
        else:
            if not form.preview.data:
                save_message_template(
                    key,
                    language,
                    form.subject.data,
                    form.body.data,
                    actor=current_user,
                    languages=current_app.config["LANGUAGES"],
                )
                flash(_("Wording saved."), "success")
                return redirect_to(url_for("admin.message_template", key=key, language=language))
    elif not form.is_submitted():
        try:
            preview = check_message_template(key, language, subject, body)
        except TemplateProblem:
            preview = None
    return render_template(
        "admin/message_template.html",
        form=form,
        errors=form.error_list(),
        key=key,
        language=language,
        template_name=TEMPLATE_NAMES[key],
        language_name=NATIVE_NAMES.get(language, language),
        placeholders=PLACEHOLDERS[key],
        preview=preview,
        is_default=is_default,
    )


@bp.post("/message-templates/<key>/<language>/restore-default")
def restore_message_template(key: str, language: str):
    _check_template_address(key, language)
    if restore_default_template(key, language, current_user, current_app.config["LANGUAGES"]):
        flash(_("The standard wording is back."), "success")
    else:
        flash(_("This was already the standard wording."), "info")
    return redirect_to(url_for("admin.message_template", key=key, language=language))
