"""Forms of the proof panel: upload one proof document of a lot, accept the lot's proof."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms.validators import InputRequired

from cksloop.domain.buyer_contracts import ProofKind
from cksloop.web.fields import SelectField, option


class ProofUploadForm(FlaskForm):
    kind = SelectField(_l("Kind of proof"), default="", validators=[InputRequired()],
                       choices=[option("", _l("choose"))])
    file = FileField(_l("Document (PDF) or photo (JPEG, PNG), at most 5 MB"),
                     render_kw={"accept": "application/pdf,image/jpeg,image/png"})

    def owe(self, kinds: list[str]) -> None:
        """Offer only the kinds the lot's contract owes."""
        self.kind.choices = [option("", _l("choose"))] + [option(k, _l(ProofKind(k).label)) for k in kinds]


class AcceptProofForm(FlaskForm):
    """Only the CSRF token: the merchandiser accepts what the panel shows."""
