"""Everything that talks to AWS: session and retries, read-only guard, loader, removal,
error translation. The UI reaches AWS only through this package."""
