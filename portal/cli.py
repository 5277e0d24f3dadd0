"""Flask commands: create-user, demo-data, demo-code, purge-drafts, import-cases and the scheduled jobs."""

import os

import click
from flask import Flask

from portal.models.enums import Role


def register_cli(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.option("--email", required=True, help="The member of staff's email address.")
    @click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="What they may do.")
    @click.option("--name", default="", help="Their name, as colleagues see it.")
    def create_user_command(email: str, role: str, name: str) -> None:
        """Create a staff account; the password comes from PORTAL_PASSWORD or is asked for."""
        from portal.services.users import UserError, create_user

        password = os.environ.get("PORTAL_PASSWORD") or click.prompt(
            "Password", hide_input=True, confirmation_prompt=True
        )
        try:
            user = create_user(email, role, password, name=name)
        except UserError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Created {user.role} account {user.email}")

    def _refuse_demo_in_production() -> None:
        if not app.config["DEMO_DATA_ALLOWED"]:
            raise click.ClickException(
                "demo accounts have a published password and sign-in key: use PORTAL_ENV=development, "
                "or set DEMO_DATA_ALLOWED=1 for a throw-away copy"
            )

    @app.cli.command("demo-data")
    def demo_data_command() -> None:
        """Load demonstration service areas, themes, staff accounts and cases."""
        _refuse_demo_in_production()
        from portal.services.demo import DEMO_PASSWORD, DEMO_STAFF, DEMO_TOTP_SECRET, load_demo_data

        created = load_demo_data()
        click.echo(f"Demo data loaded: {created['cases']} new cases, {len(created['staff'])} new staff accounts.")
        if created["ombudsman_year"]:
            click.echo(f"Made-up Ombudsman figures published for the year from April {created['ombudsman_year']}.")
        click.echo("Sign in to the back office at /staff/sign-in with any of:")
        for email, role, _name in DEMO_STAFF:
            click.echo(f"  {email} ({role})")
        click.echo(f"  password: {DEMO_PASSWORD}")
        click.echo(f"  then a code from an authenticator app set up with the key {DEMO_TOTP_SECRET},")
        click.echo("  or the code `flask --app portal demo-code` prints")

    @app.cli.command("demo-code")
    def demo_code_command() -> None:
        """Print the current sign-in code of the demo staff accounts (their authenticator secret is public)."""
        _refuse_demo_in_production()
        import pyotp

        from portal.services.demo import DEMO_TOTP_SECRET

        click.echo(pyotp.TOTP(DEMO_TOTP_SECRET).now())

    @app.cli.command("send-reminders")
    @click.option("--within", default=5, show_default=True, help="Working days ahead to remind about.")
    def send_reminders_command(within: int) -> None:
        """Email officers their cases that are overdue or due within N working days (run it daily from cron)."""
        from datetime import date

        from portal.services.deadlines import send_reminders

        with app.test_request_context(base_url=app.config["PUBLIC_BASE_URL"]):
            result = send_reminders(date.today(), within)
        click.echo(f"Reminded {result['officers']} officers about {result['cases']} cases.")

    @app.cli.command("send-outbox")
    @click.option("--once", is_flag=True, help="Send what is due and stop, instead of running as a worker.")
    def send_outbox_command(once: bool) -> None:
        """Send the queued emails that are due, retrying failures with backoff; without --once, keep running."""
        from portal.services.outbox import drain_outbox, run_worker

        if once:
            outcomes = drain_outbox()
            click.echo(f"Sent {outcomes['sent']}, {outcomes['pending']} to retry, {outcomes['failed']} given up.")
        else:
            run_worker()

    @app.cli.command("timescales")
    @click.option(
        "--preset",
        required=True,
        type=click.Choice(["default", "complaint-handling-code"]),
        help="default: DOMAIN.md's table; complaint-handling-code: the LGSCO Code's corporate timescales.",
    )
    def timescales_command(preset: str) -> None:
        """Switch the corporate complaint timescales to a preset (new deadlines follow it; old ones are kept)."""
        from portal.services.timescales import apply_timescale_preset

        changes = apply_timescale_preset(preset)
        for line in changes or ["Nothing to change."]:
            click.echo(line)

    @app.cli.command("purge-drafts")
    def purge_drafts_command() -> None:
        """Delete unfinished answers (and their files) older than the draft lifetime."""
        from portal.services.drafts import purge_stale_drafts

        click.echo(f"Deleted {purge_stale_drafts()} stale drafts.")

    @app.cli.command("refresh-statistics")
    def refresh_statistics_command() -> None:
        """Refresh the database's query planner statistics, so searches use the right indexes (daily)."""
        from portal.services.planner import refresh_planner_statistics

        refresh_planner_statistics()
        click.echo("Query planner statistics refreshed.")

    @app.cli.command("import-cases")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--dry-run", is_flag=True, help="Check the file and say what would be imported, writing nothing.")
    def import_cases_command(file: str, dry_run: bool) -> None:
        """Import a council's cases from a CSV or XLSX spreadsheet: all of it, or nothing when any row is invalid."""
        from portal.services.importer import ImportConflict, UnreadableFile, import_cases

        try:
            report = import_cases(file, dry_run=dry_run)
        except (UnreadableFile, ImportConflict) as error:
            raise click.ClickException(str(error)) from error
        for problem in report.problems:
            click.echo(str(problem))
        for line in report.summary():
            click.echo(line, err=not report.ok)
        if not report.ok:
            click.get_current_context().exit(1)

    @app.cli.command("check-deployment")
    def check_deployment_command() -> None:
        """Check the settings the portal's protections depend on before going live; exit 1 on any FAIL."""
        from portal.services.deployment_check import FAIL, check_deployment

        findings = check_deployment()
        for finding in findings:
            click.echo(f"{finding.level:<4}  {finding.what}: {finding.detail}")
        failed = sum(1 for finding in findings if finding.level == FAIL)
        click.echo(f"{failed} to fix before going live." if failed else "Nothing to fix before going live.")
        if failed:
            click.get_current_context().exit(1)

    @app.cli.command("rotate-mfa-key")
    def rotate_mfa_key_command() -> None:
        """Encrypt every authenticator secret again under the first of MFA_ENCRYPTION_KEYS (after adding a key)."""
        from portal.services.mfa import reencrypt_secrets

        click.echo(f"Encrypted {reencrypt_secrets()} authenticator secrets again under the first key.")

    @app.cli.command("apply-retention")
    @click.option("--dry-run", is_flag=True, help="List the cases that are due and what would go, changing nothing.")
    def apply_retention_command(dry_run: bool) -> None:
        """Erase again any case erased on request that a restore brought back, anonymise cases closed more than
        RETENTION_YEARS ago, keeping what the published figures count, and delete old records of staff sessions,
        searches and case views (daily)."""
        _apply_retention(dry_run)
        if dry_run:
            click.echo("Dry run: nothing was changed.")

    def _apply_retention(dry_run: bool) -> None:
        from portal.services.case_views import (
            purge_old_searches,
            purge_old_views,
            search_retention_days,
            view_retention_days,
        )
        from portal.services.erasure_ledger import LedgerError, reapply_erasures
        from portal.services.retention import apply_retention
        from portal.services.staff_sessions import purge_old_sessions

        try:
            again = reapply_erasures(dry_run=dry_run)
        except LedgerError as error:
            raise click.ClickException(
                f"the erasure ledger could not be read: {error}. Nothing was erased or anonymised: put it right, then "
                "run `flask --app portal apply-retention` before the portal shows anyone the data."
            ) from error
        verb = "Would erase" if dry_run else "Erased"
        click.echo(
            f"{verb} again {len(again.erased)} cases erased on request that a restored backup had brought back"
            + (f": {', '.join(again.erased)}" if again.erased else "")
            + f" ({again.already} listed in the erasure ledger are still erased)."
        )
        if again.waiting:
            click.echo(
                f"  Erased on request but open in this database, so kept until closed: {', '.join(again.waiting)}. "
                "Close them and run this again."
            )
        report = apply_retention(dry_run=dry_run)
        verb = "Would anonymise" if dry_run else "Anonymised"
        click.echo(f"{verb} {len(report.cases)} cases closed before {report.cutoff.isoformat()}.")
        for case in report.cases:
            kept = f"; {case.contacts_kept} contacts kept for another case" if case.contacts_kept else ""
            click.echo(
                f"  {case.reference} (closed {case.closed_on.isoformat()}): {case.messages} messages, {case.files} "
                f"files, {case.tracking_links} tracking links, {case.drafts} drafts, {case.emails} queued emails{kept}"
            )
        sessions = purge_old_sessions(dry_run=dry_run)
        days = app.config["STAFF_SESSION_RETENTION_DAYS"]
        verb = "Would delete" if dry_run else "Deleted"
        click.echo(f"{verb} {sessions} staff sessions last used over {days} days ago.")
        searches = purge_old_searches(dry_run=dry_run)
        click.echo(f"{verb} {searches} records of case searches made over {search_retention_days()} days ago.")
        views = purge_old_views(dry_run=dry_run)
        click.echo(f"{verb} {views} records of staff opening cases over {view_retention_days()} days ago.")

    @app.cli.command("backup")
    @click.argument("destination", type=click.Path(file_okay=False))
    def backup_command(destination: str) -> None:
        """Copy the database and the evidence files into a new folder, while the portal runs (docs/backups.md)."""
        from portal.services.backup import BackupError, back_up

        try:
            summary = back_up(destination)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(
            f"Backed up the {summary.database} database and {summary.files} evidence files "
            f"({summary.bytes} bytes) to {summary.folder}"
        )

    @app.cli.command("restore")
    @click.argument("source", type=click.Path(exists=True, file_okay=False))
    @click.option("--force", is_flag=True, help="Replace what is in a database and evidence folder that are not empty.")
    def restore_command(source: str, force: bool) -> None:
        """Restore a backup folder into an empty database and evidence folder (docs/backups.md)."""
        from portal.services.backup import BackupError, restore

        try:
            summary = restore(source, force=force)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Restored the {summary.database} database and {summary.files} evidence files from {summary.folder}")
        # The backup may be older than erasures and anonymisations done since: they are done again before anyone
        # sees the data, or, if its schema is older than this code, as soon as it is upgraded.
        from portal.services.migrations import current_revision, newest_revision

        if current_revision() == newest_revision():
            _apply_retention(dry_run=False)
        else:
            click.echo(
                "The backup's database is older than this code. Now run `flask --app portal db upgrade`, then "
                "`flask --app portal apply-retention`, before starting the portal: that erases again what was erased "
                "since the backup was taken."
            )
