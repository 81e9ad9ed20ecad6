"""How parts outside the main window add docks, menus, actions and tool bars to it.

The map tools and the workflow controller extend the window from their own
modules.  They used to reach into its attributes (its menus, its docks, its
private heat token); now they call the small API here, which also keeps the
window sound while it grows:

- every menu, action, dock and tool bar has a key, and a key is taken once;
- every keyboard shortcut is taken once: Qt fires *neither* of two actions
  that share a shortcut in one window ("ambiguous shortcut"), so a second
  claim is refused at start, with an :class:`ExtensionError` naming both owners;
- texts are callables, re-read on every language switch, so an extension
  needs no language-change handling of its own for what it registered here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QToolBar, QWidget

from widgets.panels.common import scrollable

T = TypeVar("T")
Text = Callable[[], str]
Shortcut = str | QKeySequence | QKeySequence.StandardKey
DOCK_FEATURES = (
    QDockWidget.DockWidgetFeature.DockWidgetMovable
    | QDockWidget.DockWidgetFeature.DockWidgetClosable
    | QDockWidget.DockWidgetFeature.DockWidgetFloatable
)


class ExtensionError(ValueError):
    """A part of the window asked for a key or shortcut someone else already has."""


@dataclass(frozen=True)
class Claim:
    """Who registered something, for the error that names both sides of a clash."""

    owner: str
    what: str

    def __str__(self) -> str:
        return f"{self.what} (owner: {self.owner})"


def shortcut_texts(shortcut: Shortcut | None) -> list[str]:
    """The key sequences a shortcut stands for, in portable text ("Ctrl+Shift+E")."""
    if shortcut is None or shortcut == "":
        return []
    if isinstance(shortcut, QKeySequence.StandardKey):
        seqs = QKeySequence.keyBindings(shortcut)
    else:
        seqs = [QKeySequence(shortcut)]
    texts = [s.toString(QKeySequence.SequenceFormat.PortableText) for s in seqs]
    if isinstance(shortcut, str) and not any(texts):
        raise ExtensionError(f"shortcut {shortcut!r} is not a key sequence Qt understands")
    return [t for t in texts if t]


class ExtensibleWindow(QMainWindow):
    """A main window that parts add themselves to by key (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._claims: dict[tuple[str, str], Claim] = {}  # (kind, key) -> claim
        self._shortcut_claims: dict[str, Claim] = {}  # portable key text -> claim
        self._menus: dict[str, QMenu] = {}
        self._actions: dict[str, QAction] = {}
        self._docks: dict[str, QDockWidget] = {}
        self._toolbars: dict[str, QToolBar] = {}
        self._texts: list[Callable[[], None]] = []  # re-run on every language switch
        self.panels_menu_key: str | None = None  # where add_dock lists each dock's switch

    # ------------------------------------------------------------------ claims

    def _claim(self, kind: str, key: str, owner: str) -> Claim:
        if not key:
            raise ExtensionError(f"{owner}: a {kind} needs a non-empty key")
        claim = Claim(owner, f"{kind} {key!r}")
        held = self._claims.get((kind, key))
        if held is not None:
            raise ExtensionError(f"{claim} is already taken: {held}")
        return claim

    def _claim_shortcuts(self, texts: list[str], claim: Claim) -> None:
        for text in texts:
            held = self._shortcut_claims.get(text)
            if held is not None:
                raise ExtensionError(
                    f"shortcut {text} of {claim} is already bound to {held}: "
                    "Qt would fire neither; choose another shortcut"
                )
        if len(set(texts)) != len(texts):
            raise ExtensionError(f"{claim} lists the shortcut {texts} twice")
        for text in texts:
            self._shortcut_claims[text] = claim

    def _on_retranslate(self, apply: Callable[[], None]) -> None:
        self._texts.append(apply)
        apply()

    def retranslate_extensions(self) -> None:
        """Re-read every registered text (the window calls this on LanguageChange)."""
        for apply in self._texts:
            apply()

    # ------------------------------------------------------------------ menus

    def add_menu(
        self,
        key: str,
        title: Text,
        *,
        owner: str,
        parent: str | None = None,
        before: str | None = None,
    ) -> QMenu:
        """A menu in the menu bar (or inside menu ``parent``), before menu ``before`` if given."""
        claim = self._claim("menu", key, owner)
        host = self.menu(parent) if parent is not None else None
        menu = QMenu(host or self)
        menu.setObjectName(f"{key}Menu")
        if host is not None:
            anchor = self.menu(before).menuAction() if before is not None else None
            if anchor is not None:
                host.insertMenu(anchor, menu)
            else:
                host.addMenu(menu)
        elif before is not None:
            self.menuBar().insertMenu(self.menu(before).menuAction(), menu)
        else:
            self.menuBar().addMenu(menu)
        self._claims[("menu", key)] = claim
        self._menus[key] = menu
        self._on_retranslate(lambda: menu.setTitle(title()))
        return menu

    def add_separator(self, menu_key: str) -> None:
        """A separator at the end of a menu (groups of actions)."""
        self.menu(menu_key).addSeparator()

    def add_action(
        self,
        menu_key: str | None,
        key: str,
        text: Text,
        slot: Callable[[], object] | None = None,
        *,
        owner: str,
        shortcut: Shortcut | None = None,
        before: str | None = None,
        after: str | None = None,
        tooltip: Text | None = None,
        checkable: bool = False,
    ) -> QAction:
        """An action in menu ``menu_key`` (None: the window only, a bare shortcut).

        ``before``/``after`` name another action of that menu to place it next to;
        a shortcut another action already has raises :class:`ExtensionError`.
        """
        claim = self._claim("action", key, owner)
        texts = shortcut_texts(shortcut)
        menu = self.menu(menu_key) if menu_key is not None else None
        anchor = self._anchor(menu, before, after) if menu is not None else None
        self._claim_shortcuts(texts, claim)  # after every check that can still fail
        act = QAction(self)
        act.setObjectName(key)
        if isinstance(shortcut, QKeySequence.StandardKey):
            act.setShortcuts(shortcut)
        elif texts:
            act.setShortcut(QKeySequence(texts[0]))
        act.setCheckable(checkable)
        if slot is not None:
            act.triggered.connect(lambda _checked=False: slot())
        if menu is None:
            self.addAction(act)
        elif anchor is not None:
            menu.insertAction(anchor, act)
        else:
            menu.addAction(act)
        self._claims[("action", key)] = claim
        self._actions[key] = act

        def apply() -> None:
            act.setText(text())
            if tooltip is not None:
                act.setToolTip(tooltip())

        self._on_retranslate(apply)
        return act

    def _anchor(self, menu: QMenu, before: str | None, after: str | None) -> QAction | None:
        """The action to insert in front of, for ``before``/``after`` (None: append)."""
        if before is not None and after is not None:
            raise ExtensionError("give before= or after=, not both")
        if before is not None:
            return self._in_menu(menu, before)
        if after is not None:
            items = menu.actions()
            k = items.index(self._in_menu(menu, after)) + 1
            return items[k] if k < len(items) else None
        return None

    def _in_menu(self, menu: QMenu, key: str) -> QAction:
        act = self.action(key)
        if act not in menu.actions():
            raise ExtensionError(f"action {key!r} is not in menu {menu.objectName()!r}")
        return act

    # ------------------------------------------------------------------ docks, bars

    def add_dock(
        self,
        key: str,
        title: Text,
        widget: QWidget,
        area: Qt.DockWidgetArea,
        *,
        owner: str,
        tab_with: str | None = None,
        split_from: str | None = None,
        orientation: Qt.Orientation = Qt.Orientation.Vertical,
        scroll: bool = True,
        size: int | None = None,
    ) -> QDockWidget:
        """Dock ``widget`` under ``key`` (its object name: the saved layout finds it by it).

        ``tab_with`` puts it behind another dock's tab (that dock stays in front),
        ``split_from`` below (or beside) another dock; ``scroll`` wraps the panel in a
        scroll area so a tall dock never forces the window taller than the screen;
        ``size`` is its first height (top/bottom docks) or width (side docks).
        The dock's switch goes into the Panels menu.
        """
        claim = self._claim("dock", key, owner)
        if tab_with is not None and split_from is not None:
            raise ExtensionError(f"{claim}: give tab_with= or split_from=, not both")
        next_to = tab_with or split_from
        other = self.dock(next_to) if next_to is not None else None
        dock = QDockWidget(self)
        dock.setObjectName(key)
        dock.setWidget(scrollable(widget) if scroll else widget)
        dock.setFeatures(DOCK_FEATURES)
        self.addDockWidget(area, dock)
        if other is not None and tab_with is not None:
            self.tabifyDockWidget(other, dock)
            other.raise_()
        elif other is not None:
            self.splitDockWidget(other, dock, orientation)
        if size is not None:
            sides = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
            across = Qt.Orientation.Horizontal if area in sides else Qt.Orientation.Vertical
            self.resizeDocks([dock], [size], across)
        self._claims[("dock", key)] = claim
        self._docks[key] = dock
        if self.panels_menu_key is not None:
            self.menu(self.panels_menu_key).addAction(dock.toggleViewAction())
        self._on_retranslate(lambda: dock.setWindowTitle(title()))
        return dock

    def resize_docks(
        self, keys: Sequence[str], sizes: Sequence[int], orientation: Qt.Orientation
    ) -> None:
        """Share space between docks (first layout; a saved layout overrides it)."""
        self.resizeDocks([self.dock(k) for k in keys], list(sizes), orientation)

    def add_toolbar(
        self,
        key: str,
        title: Text,
        *,
        owner: str,
        area: Qt.ToolBarArea = Qt.ToolBarArea.TopToolBarArea,
    ) -> QToolBar:
        """A tool bar under ``key`` (its object name, for the saved layout)."""
        claim = self._claim("toolbar", key, owner)
        bar = QToolBar(self)
        bar.setObjectName(key)
        self.addToolBar(area, bar)
        self._claims[("toolbar", key)] = claim
        self._toolbars[key] = bar
        self._on_retranslate(lambda: bar.setWindowTitle(title()))
        return bar

    # ------------------------------------------------------------------ lookup

    def menu(self, key: str) -> QMenu:
        """The menu registered under ``key``."""
        return _get(self._menus, "menu", key)

    def action(self, key: str) -> QAction:
        """The action registered under ``key``."""
        return _get(self._actions, "action", key)

    def dock(self, key: str) -> QDockWidget:
        """The dock registered under ``key``."""
        return _get(self._docks, "dock", key)

    def toolbar(self, key: str) -> QToolBar:
        """The tool bar registered under ``key``."""
        return _get(self._toolbars, "toolbar", key)

    def dock_keys(self) -> list[str]:
        """Every dock's key, in the order they were added."""
        return list(self._docks)

    def action_keys(self) -> list[str]:
        """Every action's key, in the order they were added."""
        return list(self._actions)

    def shortcut_owners(self) -> dict[str, str]:
        """Key sequence (portable text) -> "action 'key' (owner: ...)" that holds it."""
        return {text: str(claim) for text, claim in self._shortcut_claims.items()}

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_extensions()
        super().changeEvent(event)


def _get(table: dict[str, T], kind: str, key: str) -> T:
    try:
        return table[key]
    except KeyError:
        known = ", ".join(table) or "none"
        raise KeyError(f"no {kind} {key!r} (known: {known})") from None
