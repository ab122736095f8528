"""The newest migration of each of the project's apps in each release (a git tag
`v<version>` with its CHANGELOG.md entry). The upgrade test takes a database of the
previous release forward to this one, and back, with data in it; a release adds its line
here when it is tagged (docs/running/upgrades.md)."""

RELEASES = {
    "0.1.0": {
        "accounts": "0002_second_factor_grace",
        "api": "0003_api_key_acts_for",
        "audit": "0001_initial",
        "outbox": "0002_personal_values",
        "members": "0010_organisation_verified_domain",
        "campaigns": "0002_convening_change_tracking",
        "statements": "0006_signature_claims",
        # Apps that came later: none of their tables existed.
        "monitoring": None,
        "messagetexts": None,
    },
}
PREVIOUS_RELEASE = "0.1.0"
