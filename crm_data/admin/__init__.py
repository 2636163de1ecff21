"""What an administrator keeps: ranged settings stored in app_meta, backups and restores."""
