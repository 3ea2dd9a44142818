"""Account pages: thin views over portal.auth.services."""

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, refresh
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError
from wtforms.fields.choices import SelectChoice

from portal.auth import bp, phone_accounts, roles, services, shared_device
from portal.auth.codes import CodeRefused
from portal.auth.forms import (
    AcceptAsExistingForm,
    AcceptInvitationForm,
    ActionForm,
    ChangePasswordForm,
    EmailOnlyForm,
    ForgotPasswordForm,
    InvitationForm,
    LoginForm,
    NewCodeForm,
    PhoneCodeForm,
    ProfileForm,
    RegisterForm,
    ResetByCodeForm,
    ResetPasswordForm,
)
from portal.auth.models import Invitation, Role
from portal.auth.tokens import InvalidLink
from portal.core import idempotency
from portal.core.errors import DomainError
from portal.core.forms import INVALID, form_status, show_error
from portal.core.permissions import STAFF_ROLES, load_or_404, require, roles_required
from portal.core.security import client_ip, safe_next
from portal.core.time import utcnow
from portal.extensions import csrf, db, limiter


def _login_failed(response) -> bool:
    """Only failed attempts count towards the login limits."""
    return response.status_code == INVALID


def _login_account_key() -> str:
    return "login-account:" + services.login_key(request.form.get("account", ""))


# The number whose code she is asked for, kept between the pages in her session (not in the
# address, which logs keep): the pages show it, and she can type it again on another device. And
# the token of the registration this session made (phone_accounts.registration_token): only this
# session may make the account with the code, or ask for the code again. Every registration by
# number writes one, so that the session tells nothing of whether the number had an account.
CODE_PHONE = "code_phone"
REGISTRATION = "registration"


def _forget_codes() -> None:
    """At login and logout: the next person on this phone sees no number of hers."""
    session.pop(CODE_PHONE, None)
    session.pop(REGISTRATION, None)


def _code_page(endpoint: str, phone: str):
    session[CODE_PHONE] = phone
    return redirect(url_for(endpoint))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["EMAIL_FORM_LIMIT"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    # The language she reads the page in is the first guess for the one she prefers.
    form = RegisterForm(language=str(get_locale()))
    refusal = None
    if form.validate_on_submit():
        if not form.mobile.data:
            services.register_applicant(
                email=form.email.data,
                password=form.password.data,
                full_name=form.full_name.data,
                phone=None,
                language=form.language.data,
                ip=client_ip(),
            )
            # The same page whether or not the address was already registered.
            return render_template(
                "auth/check_email.html", email=services.normalise_email(form.email.data)
            )
        form_key = request.form.get("form_key")
        token = phone_accounts.registration_token(form_key)
        try:
            phone_accounts.register_by_phone(
                phone=form.mobile.data,
                email=services.normalise_email(form.email.data) if form.email.data else None,
                password=form.password.data,
                full_name=form.full_name.data,
                language=form.language.data,
                token=token,
                ip=client_ip(),
                now=utcnow(),
                form_key=form_key,
            )
        except (idempotency.AlreadySent, idempotency.StillSending):
            pass  # the same form sent twice: one code, and the same token
        except CodeRefused as error:
            show_error(form, error)  # nothing sent: her form as she typed it, to send later
            refusal = error
        if refusal is None:
            session[REGISTRATION] = token
            # The same page whether or not the number was already registered.
            return _code_page("auth.confirm_phone", form.mobile.data)
    return render_template("auth/register.html", form=form), form_status(form, refusal)


@bp.route("/confirm/phone", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"])
def confirm_phone():
    """The code of a registration by number: typed in the session that registered, it makes the
    account and she is in."""
    form = PhoneCodeForm(
        data=None if request.method == "POST" else {"mobile": session.get(CODE_PHONE)}
    )
    refusal = None
    if form.validate_on_submit():
        try:
            user = phone_accounts.confirm_registration(
                form.mobile.data,
                form.code.data,
                token=session.get(REGISTRATION),
                now=utcnow(),
                ip=client_ip(),
            )
        except DomainError as error:
            if current_user.is_authenticated and current_user.login_phone == form.mobile.data:
                return redirect(url_for("main.home"))  # the same code sent twice: she is in
            show_error(form, error)
            refusal = error
        else:
            _forget_codes()
            services.record_login(user, client_ip())
            login_user(user)
            if form.shared.data:
                shared_device.start()
            refresh()
            flash(_("Thank you, your number is confirmed."), "success")
            return redirect(url_for("main.home"))
    return render_template(
        "auth/confirm_phone.html",
        form=form,
        new_code=NewCodeForm(formdata=None, number=form.mobile.data),
    ), form_status(form, refusal)


@bp.route("/confirm/phone/new-code", methods=["POST"])
@limiter.limit(lambda: current_app.config["EMAIL_FORM_LIMIT"])
def new_phone_code():
    form = NewCodeForm()
    if not form.validate_on_submit():
        return render_template(
            "auth/confirm_phone.html", form=PhoneCodeForm(formdata=None), new_code=form
        ), form_status(form)
    try:
        phone_accounts.send_new_code(
            form.number.data,
            str(get_locale()),
            token=session.get(REGISTRATION),
            ip=client_ip(),
            now=utcnow(),
        )
    except CodeRefused as error:
        flash(error.message, "warning")
    else:
        flash(_("A new code is on its way. It may take a minute to arrive."), "info")
    return _code_page("auth.confirm_phone", form.number.data)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """The link in the mail opens a page with one button: opening a link changes nothing (a GET
    never writes, and a mail scanner that opens every link confirms no one). An address added to
    an account proved by its number is confirmed only by her, logged in: the owner of a
    mistyped address must not make it a way into her account."""
    form = ActionForm()
    try:
        user = services.user_to_confirm(token)
        if current_user.is_authenticated and current_user.id != user.id:
            message = _("This link is for another account. Log out first, then open it again.")
            return render_template("auth/link_problem.html", message=message), 403
        if user.phone_confirmed_at and not current_user.is_authenticated:
            flash(_("Log in to confirm this e-mail address on your account."), "info")
            return redirect(url_for("auth.login", next=request.path))
        if form.validate_on_submit():
            user = services.confirm_email(token)
        elif user.confirmed_at is None:
            return render_template("auth/confirm_email.html", form=form, user=user)
    except InvalidLink as error:
        return render_template("auth/link_problem.html", message=error.message), error.status
    flash(_("Thank you, your e-mail address is confirmed. You can log in now."), "success")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(url_for("main.home"))
    return redirect(url_for("auth.login"))


@bp.route("/confirm", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["EMAIL_FORM_LIMIT"], methods=["POST"])
def resend_confirmation():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.resend_confirmation(form.email.data, str(get_locale()))
        return render_template(
            "auth/check_email.html", email=services.normalise_email(form.email.data)
        )
    return render_template("auth/resend_confirmation.html", form=form), form_status(form)


# Failed logins are counted per account, wherever they come from, and much more loosely per
# address: a shared office computer or a family phone must not lock out the next woman who
# types her own password because someone else mistyped theirs.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_ADDRESS_LIMIT"], methods=["POST"], deduct_when=_login_failed
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT"],
    methods=["POST"],
    key_func=_login_account_key,
    deduct_when=_login_failed,
)
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data, url_for("main.home")))
    refusal = None
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.account.data, form.password.data, client_ip())
        except DomainError as error:
            form.form_errors.append(error.message)
            refusal = error
        else:
            _forget_codes()
            login_user(user, remember=form.remember.data and not form.shared.data)
            if form.shared.data:
                shared_device.start()
            else:
                shared_device.forget()
            refresh()  # from now on, speak her saved language
            flash(_("Welcome, %(name)s.", name=user.full_name), "success")
            return redirect(safe_next(form.next.data, url_for("main.home")))
    return render_template("auth/login.html", form=form), form_status(form, refusal)


@bp.route("/still-here")
@limiter.exempt
def still_here():
    """Asked by a shared phone's page while she types (portal.js): it is using the phone, so the
    idle half hour starts again (shared_device); the answer says whether she is still logged in."""
    return jsonify(signed_in=current_user.is_authenticated)


# The page with the "Log out" button may be hours old (a shared computer, a tab left open): its
# token is checked without the forms' one-hour limit, so that logging out never fails and leaves
# the session open for the next person. Another site cannot send it: the cookies are SameSite.
LOGOUT_TOKEN_MAX_AGE = 60 * 60 * 24 * 31


@bp.route("/logout", methods=["POST"])
@csrf.exempt  # checked below, without the time limit
def logout():
    """Not login_required: on a shared phone she may tap it after the idle logout, and the
    browser must forget the site all the same."""
    try:
        validate_csrf(request.form.get("csrf_token"), time_limit=LOGOUT_TOKEN_MAX_AGE)
    except ValidationError as error:
        raise CSRFError(error.args[0]) from None
    if current_user.is_authenticated:
        services.record_logout(current_user, client_ip())
        logout_user()
    shared_device.forget()
    _forget_codes()
    flash(_("You have logged out."), "info")
    response = redirect(url_for("main.home"))
    # The browser forgets the pages it kept for her (the service worker's too: the next page is a
    # visitor's, shared_device.account_mark); on a shared phone her drafts were in the tab only,
    # which the next page clears.
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["EMAIL_FORM_LIMIT"], methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    refusal = None
    if form.validate_on_submit():
        account = form.account.data.strip()
        phone = services.login_phone_in(account)
        if phone:
            try:
                phone_accounts.request_reset_code(phone, ip=client_ip(), now=utcnow())
            except CodeRefused as error:
                show_error(form, error)
                refusal = error
            else:
                return _code_page("auth.reset_password_by_code", phone)
        else:
            services.request_password_reset(account, str(get_locale()))
            return render_template("auth/check_email.html", email=services.normalise_email(account))
    return render_template("auth/forgot_password.html", form=form), form_status(form, refusal)


@bp.route("/password/reset/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"])
def reset_password_by_code():
    form = ResetByCodeForm(
        data=None if request.method == "POST" else {"mobile": session.get(CODE_PHONE)}
    )
    refusal = None
    if form.validate_on_submit():
        try:
            phone_accounts.reset_password_by_code(
                form.mobile.data, form.code.data, form.password.data, ip=client_ip(), now=utcnow()
            )
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            session.pop(CODE_PHONE, None)
            logout_user()
            flash(_("Your password has been changed. Log in with the new one."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_by_code.html", form=form), form_status(form, refusal)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except InvalidLink as error:
        return render_template("auth/link_problem.html", message=error.message), error.status
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data, client_ip())
        logout_user()
        flash(_("Your password has been changed. Log in with the new one."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), form_status(form)


@bp.route("/password/change", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    refusal = None
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data, form.password.data, client_ip()
            )
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            # The session token rotated with the password: log in again on this device only.
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/change_password.html", form=form), form_status(form, refusal)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user
    form = ProfileForm(
        data=None
        if request.method == "POST"
        else {
            "full_name": user.full_name,
            "phone": user.phone,
            "language": user.language,
            "province": user.province_id,
            "commune": user.commune_id,
        }
    )
    form.fill_unit_choices()
    if request.method == "POST" and form.wants_communes:
        form.commune.data = None
        return render_template("auth/profile.html", form=form, user=user)
    refusal = None
    if form.validate_on_submit():
        try:
            services.update_profile(
                user,
                full_name=form.full_name.data,
                phone=form.phone.data,
                language=form.language.data,
                province_id=form.province.data,
                commune_id=form.commune.data,
            )
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, user=user), form_status(form, refusal)


# --- Invitations ----------------------------------------------------------------------------


@bp.route("/invitations", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def invitations():
    form = InvitationForm(language=str(get_locale()))
    form.role.choices = [SelectChoice(r.value, r.label) for r in roles.may_invite(current_user)]
    form.fill_unit_choices()
    refusal = None
    if request.method == "POST" and form.wants_communes:
        form.commune.data = None
    elif form.validate_on_submit():
        try:
            services.invite(
                current_user,
                email=form.email.data,
                role=Role(form.role.data),
                unit_id=form.commune.data or form.province.data,
                language=form.language.data,
                ip=client_ip(),
                form_key=request.form.get("form_key"),
            )
        except idempotency.AlreadySent:
            sent = True  # the same form sent twice: one invitation, one mail
        except DomainError as error:
            show_error(form, error)
            sent, refusal = False, error
        else:
            sent = True
        if sent:
            flash(_("The invitation has been sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("auth.invitations"))
    page = db.paginate(services.invitations_visible_to(current_user), per_page=25, error_out=False)
    return render_template(
        "auth/invitations.html", form=form, page=page, now=utcnow()
    ), form_status(form, refusal)


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@roles_required(*STAFF_ROLES)
def revoke_invitation(invitation_id: int):
    invitation = load_or_404(Invitation, invitation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    require(services.may_withdraw_invitation(current_user, invitation))
    try:
        services.revoke_invitation(current_user, invitation, client_ip())
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(_("The invitation has been withdrawn."), "info")
    return redirect(url_for("auth.invitations"))


@bp.route("/invitations/accept/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        invitation = services.invitation_for_token(token)
    except InvalidLink as error:
        return render_template("auth/link_problem.html", message=error.message), error.status
    existing = services.find_user(invitation.email)
    form = AcceptAsExistingForm() if existing else AcceptInvitationForm()
    refusal = None
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(
                token,
                user=current_user if current_user.is_authenticated else None,
                full_name=getattr(form, "full_name", None) and form.full_name.data,
                password=getattr(form, "password", None) and form.password.data,
                ip=client_ip(),
            )
        except DomainError as error:
            form.form_errors.append(error.message)
            refusal = error
        else:
            login_user(user)
            refresh()
            flash(
                _(
                    "Welcome, %(name)s. Your role: %(role)s.",
                    name=user.full_name,
                    role=invitation.role.label,
                ),
                "success",
            )
            return redirect(url_for("main.home"))
    return render_template(
        "auth/accept_invitation.html", form=form, invitation=invitation, existing=existing
    ), form_status(form, refusal)
