#!/bin/sh
# ClubIN's nightly database dump, run by clubin-backup.service as the clubin user with the
# environment file loaded. See docs/deploy.md, "Backups", for the restore procedure.
#
#   CLUBIN_BACKUP_DIR         where dumps go (default /var/backups/clubin, owned by clubin)
#   CLUBIN_BACKUP_KEEP_DAYS   dumps older than this many days are deleted (default 14)
#   DATABASE_URL              postgres://user:password@host:port/name, as ClubIN reads it
#
# A dump is written under a temporary name, checked with pg_restore --list, and only then
# renamed; old dumps are deleted only after a new one succeeded.
set -eu

dir=${CLUBIN_BACKUP_DIR:-/var/backups/clubin}
keep=${CLUBIN_BACKUP_KEEP_DAYS:-14}
: "${DATABASE_URL:?DATABASE_URL is not set (EnvironmentFile=/etc/clubin/clubin.env)}"

umask 077
target="$dir/clubin-$(date +%Y-%m-%dT%H%M).dump"
trap 'rm -f "$target.partial"' EXIT

# libpq reads the same URL as ClubIN (postgres:// or postgresql://, percent-encoded password).
pg_dump --format=custom --dbname="$DATABASE_URL" --file="$target.partial"
pg_restore --list "$target.partial" >/dev/null
mv "$target.partial" "$target"

find "$dir" -maxdepth 1 -name 'clubin-*.dump' -mtime +"$keep" -delete
kept=$(find "$dir" -maxdepth 1 -name 'clubin-*.dump' | wc -l)
echo "wrote $target ($(du -h "$target" | cut -f1)); dumps kept: $kept"
