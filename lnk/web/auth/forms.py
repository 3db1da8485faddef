"""Sign-in forms (Flask-WTF: each carries its own CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

USERNAME_HELP = "3-32 letters, digits, '_', '.' or '-'"


class LoginForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[DataRequired("Enter your username")],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password")],
        render_kw={"autocomplete": "current-password"},
    )


class RegisterForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[
            DataRequired("Choose a username"),
            Regexp(r"^[A-Za-z0-9_.-]{3,32}$", message=f"Use {USERNAME_HELP}"),
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    display_name = StringField(
        "Display name (optional)",
        validators=[Optional(), Length(max=64)],
        render_kw={"autocomplete": "name"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Choose a password"), Length(8, 128, "Use 8 to 128 characters")],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[
            DataRequired("Repeat the password"),
            EqualTo("password", "The passwords differ"),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class LogoutForm(FlaskForm):
    """Only its CSRF token: logging out is a POST from a page of ours."""
