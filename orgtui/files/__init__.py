"""orgtui's own files: paths, settings, snapshot cache, audit log, tag backups.

One module per kind of file; this package is the one way the rest of orgtui reaches
them (`from orgtui import files`; `files.append_audit(...)`).
"""

from orgtui.errors import StoreError
from orgtui.files.audit import (
    append_audit,
    check_writable,
    read_audit,
    read_closures,
    read_refusals,
)
from orgtui.files.backups import TagBackup, backup_tags, newest_tag_backup
from orgtui.files.cache import (
    SNAPSHOT_FORMAT,
    SNAPSHOT_VERSION,
    cache_key,
    forget_snapshot,
    load_snapshot,
    save_snapshot,
    snapshot_from_dict,
    snapshot_path,
    snapshot_to_dict,
)
from orgtui.files.handover import HandOver, HandOverAccount, read_handover
from orgtui.files.paths import (
    APP,
    DIR_MODE,
    FILE_MODE,
    audit_log_path,
    cache_dir,
    config_path,
    demo_handover_path,
    ensure_dir,
    set_aside,
    tag_backup_dir,
    tag_backups_root,
    use_demo_folders,
    write_private,
)
from orgtui.files.screenshots import save_screenshot, screenshot_dir
from orgtui.files.settings import Settings, load_settings, save_setting

__all__ = [
    "APP",
    "DIR_MODE",
    "FILE_MODE",
    "HandOver",
    "HandOverAccount",
    "SNAPSHOT_FORMAT",
    "SNAPSHOT_VERSION",
    "Settings",
    "StoreError",
    "TagBackup",
    "append_audit",
    "audit_log_path",
    "backup_tags",
    "cache_dir",
    "cache_key",
    "check_writable",
    "config_path",
    "demo_handover_path",
    "ensure_dir",
    "forget_snapshot",
    "load_settings",
    "load_snapshot",
    "newest_tag_backup",
    "read_audit",
    "read_closures",
    "read_handover",
    "read_refusals",
    "save_screenshot",
    "save_setting",
    "save_snapshot",
    "screenshot_dir",
    "set_aside",
    "snapshot_from_dict",
    "snapshot_path",
    "snapshot_to_dict",
    "tag_backup_dir",
    "tag_backups_root",
    "use_demo_folders",
    "write_private",
]
