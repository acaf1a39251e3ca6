"""HTML forms (Flask-WTF): each validates and shows its errors beside the field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    FloatField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


CODE = Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$", message="1-32 letters, digits, '.', '-' or '_'")


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    remember = BooleanField("Remember this phone")


class AreaForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), CODE])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])


class LocationForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), CODE])
    name = StringField("Name", validators=[DataRequired(), Length(max=160)])
    area_id = SelectField("Area", coerce=int, validators=[DataRequired()])
    address = TextAreaField("Address", validators=[Optional(), Length(max=500)])
    latitude = FloatField("Latitude", validators=[Optional(), NumberRange(-90, 90)])
    longitude = FloatField("Longitude", validators=[Optional(), NumberRange(-180, 180)])
    timezone = StringField("Time zone", default="UTC", validators=[DataRequired()])
    contact_email = EmailField("Branch contact email", validators=[Optional(), Email()])
    language = SelectField(
        "Report language",
        choices=choices([("en", "English"), ("ms", "Malay"), ("id", "Indonesian")]),
    )
    active = BooleanField("Active", default=True)

    def validate_timezone(self, field):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(field.data)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError("Unknown time zone (use e.g. Asia/Jakarta)") from None


class LocationImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired(), FileAllowed(["csv"], "A .csv file")])


class UserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    role = SelectField(
        "Role",
        choices=choices(
            [
                ("shopper", "Mystery shopper"),
                ("reviewer", "Reviewer"),
                ("area_manager", "Area manager"),
                ("branch_manager", "Branch manager"),
                ("admin", "Admin"),
            ]
        ),
    )
    password = PasswordField(
        "Password",
        validators=[Optional(), Length(min=10, max=256, message="Must be at least 10 characters")],
    )
    # the service checks these against the role (and says which is missing)
    areas = SelectMultipleField("Areas (area managers)", choices=[], validate_choice=False)
    location = SelectField("Location (branch managers)", choices=[], validate_choice=False)
    allow_adhoc = BooleanField("May submit visits without an assignment (shoppers)")


class AssignmentForm(FlaskForm):
    location_id = SelectField("Location", coerce=int, validators=[DataRequired()])
    checklist_key = SelectField("Checklist", validators=[DataRequired()])
    shopper_id = SelectField("Shopper", coerce=int, validators=[DataRequired()])
    window_start = DateTimeLocalField("Window from (UTC)", validators=[DataRequired()])
    window_end = DateTimeLocalField("Window to (UTC)", validators=[DataRequired()])
    scenario = TextAreaField("Scenario instructions", validators=[Optional(), Length(max=2000)])

    def validate_window_end(self, field):
        if self.window_start.data and field.data and field.data <= self.window_start.data:
            raise ValidationError("Must be after the window start")


class ReturnForm(FlaskForm):
    comment = TextAreaField(
        "Comment to the shopper", validators=[DataRequired(), Length(min=3, max=2000)]
    )


class ApproveForm(FlaskForm):
    pass


class CorrectionForm(FlaskForm):
    item_id = SelectField("Item", validators=[DataRequired()])
    value = StringField(
        "New value",
        validators=[Optional(), Length(max=2000)],
        description="yes/no, a number, an option id, or text; empty with N/A",
    )
    na = BooleanField("N/A")
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(min=3, max=1000)])
