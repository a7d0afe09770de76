"""Keys before the load: the app claims the core's foreground (aws/foreground.py) for each
key until the screen has been painted after it, so that a load's threads send no request
and parse no answer meanwhile.

A key goes from the terminal to the app, which forwards it to the focused widget; from
there it bubbles back up to the app, which runs the key's binding (`down`, escape, `t`).
A widget may take it on the way (the filter's input takes the characters typed). So the
claim is released after the repaint that follows the binding, or, for a key taken on
the way, the repaint that follows the widget's handling. A key taken by a container
between the two is released by the claim's own time limit (HOLD_MAX).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events

from orgtui.ui.textual_compat import propagation_stopped

if TYPE_CHECKING:
    from textual.app import App

    _Base = App[Any]
else:  # a plain mixin, as LineWidget is
    _Base = object


class KeysFirst(_Base):
    """Put before App among the app's bases; `services` is its `orgtui.backend.Services`."""

    services: Any

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key):
            await super().on_event(event)
            return
        arriving = not event.is_forwarded  # from the terminal; else back from the widget
        if arriving:
            self.services.foreground.claim()
        await super().on_event(event)
        if arriving and event.is_forwarded:
            # Sent on to the focused widget: queued behind the key there.
            (self.focused or self.screen).call_after_refresh(self._taken_on_the_way, event)
        else:  # its binding ran here: back from the widget, or the app's own (ctrl+c)
            self.call_after_refresh(self.services.foreground.release)

    def _taken_on_the_way(self, event: events.Key) -> None:
        if propagation_stopped(event):  # it will not come back up to the app
            self.services.foreground.release()
