"""The Library window: every aid in one table, filtered and sorted, acted on one or many at once.

Its rows are the index's stored fields (:mod:`search.catalogue`), read off the GUI thread; the
table is a model and a view, so 38k aids cost one list, not a widget a row. Deleting and moving
go through the store, each to the trash first, so Ctrl+Z undoes them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from job_aids import JobAid, JobAidError, LibraryStore
from search.catalogue import Catalogue, CatalogueEntry, CatalogueFilter, SortOrder, choices

from . import dialogs, trace
from .background import run_in_background

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Title", "Kind", "Collection", "Folder", "Tags", "Updated", "Review by", "Opened")
FILTERS = (("collection", "All collections"), ("kind", "All kinds"), ("tag", "All tags"),
           ("app", "All apps"), ("owner", "All owners"))


@dataclass
class _Change:
    """A delete or move, as the Library window shows it and Ctrl+Z undoes it."""

    what: str
    trashed: list[str] = field(default_factory=list)  # trash entries of the originals
    removed: list[CatalogueEntry] = field(default_factory=list)
    added: list[CatalogueEntry] = field(default_factory=list)  # the copies a move made
    errors: list[str] = field(default_factory=list)


class CatalogueModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[CatalogueEntry] = []
        self.today = dt.date.today().isoformat()

    def show(self, rows: list[CatalogueEntry]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.today = dt.date.today().isoformat()
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (entry.title, entry.kind, entry.collection, entry.folder, ", ".join(entry.tags),
                    entry.updated, self._review(entry), str(entry.opens) if entry.opens else ""
                    )[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return f"{entry.title}\n{entry.path}" + (f"\nOwner: {entry.owner}" if entry.owner
                                                     else "")
        return None

    def _review(self, entry: CatalogueEntry) -> str:
        if entry.review_by and entry.review_by < self.today:
            return f"due since {entry.review_by}"
        return entry.review_by


class LibraryView(QTableView):
    """Notes when a filter's rows were painted (for the benchmarks)."""

    def __init__(self) -> None:
        super().__init__()
        self.filter_to_paint: int | None = None

    def paintEvent(self, event: Any) -> None:
        super().paintEvent(event)
        if self.filter_to_paint is not None:
            generation, self.filter_to_paint = self.filter_to_paint, None
            trace.trace("library-painted", generation=generation)


class LibraryWindow(QWidget):
    open_requested = Signal(str)   # the aid's path
    edit_requested = Signal(str)
    pin_requested = Signal(str)
    changed = Signal()             # aids were deleted, moved or brought back

    def __init__(self, store: LibraryStore, load: Callable[[], list[CatalogueEntry]],
                 runner: Callable[..., None] = run_in_background) -> None:
        super().__init__()
        self.store = store
        self._load = load
        self._runner = runner
        self.catalogue = Catalogue([])
        self.generation = 0
        self._undo: list[_Change] = []
        self.setWindowTitle("Library - Handrail")
        self.setObjectName("library")

        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText("Filter by words in the title or tags  (Ctrl+F)")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.textChanged.connect(self._refilter)
        self.combos: dict[str, QComboBox] = {}
        filters = QHBoxLayout()
        for name, everything in FILTERS:
            combo = QComboBox()
            combo.setAccessibleName(f"Filter by {name}")
            combo.addItem(everything, "")
            combo.currentIndexChanged.connect(self._refilter)
            combo.setMinimumContentsLength(10)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            self.combos[name] = combo
            filters.addWidget(combo)
        self.review_due = QCheckBox("Review &due")
        self.review_due.toggled.connect(self._refilter)
        filters.addWidget(self.review_due)
        filters.addStretch(1)
        filters.addWidget(QLabel("Sort:"))
        self.sort = QComboBox()
        self.sort.setAccessibleName("Sort by")
        for order in SortOrder:
            self.sort.addItem(order.value.capitalize(), order)
        self.sort.currentIndexChanged.connect(self._resort)
        filters.addWidget(self.sort)

        self.model = CatalogueModel()
        self.table = LibraryView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no measuring 38k rows
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 120), (2, 100), (3, 120), (4, 170), (5, 90), (6, 160), (7, 65)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(lambda _index: self.open_current())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().selectionChanged.connect(self._show_count)

        self.status = QLabel("Reading the library…")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        self.buttons: dict[str, QPushButton] = {}
        for name, text, slot in (("open", "&Open", self.open_current),
                                 ("edit", "&Edit", self.edit_current),
                                 ("pin", "&Pin", self.pin_current),
                                 ("export", "E&xport…", self.export_selected),
                                 ("import", "&Import…", self.import_chosen),
                                 ("move", "&Move to", None),
                                 ("copy", "Publish a &copy to", None),
                                 ("delete", "&Delete", self.delete_selected)):
            button = QPushButton(text)
            if slot is not None:
                button.clicked.connect(slot)
            self.buttons[name] = button
            buttons.addWidget(button)
        self.move_menu = QMenu(self)
        self.move_menu.aboutToShow.connect(self._fill_move_menu)
        self.buttons["move"].setMenu(self.move_menu)
        self.copy_menu = QMenu(self)
        self.copy_menu.aboutToShow.connect(lambda: self._fill(self.copy_menu, self.copy_selected))
        self.buttons["copy"].setMenu(self.copy_menu)
        self.buttons["copy"].setToolTip("A copy in a team's collection, for colleagues (it gets "
                                        "its own id; yours stays); Ctrl+Z undoes it")
        for name, tip in (("open", "Enter"), ("edit", "Ctrl+E"), ("pin", "Ctrl+Enter"),
                          ("export", "Ctrl+Shift+E"), ("delete", "Delete; Ctrl+Z undoes it"),
                          ("import", "Ctrl+Shift+I: .handrail bundles, Word, PowerPoint, PDF, "
                           "HTML, Markdown and text files, into your own aids")):
            self.buttons[name].setToolTip(tip)

        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_box)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.setTabOrder(self.filter_box, self.table)

        shortcuts: tuple[tuple[str, Callable[[], object]], ...]
        shortcuts = (("Ctrl+F", self._focus_filter), ("Ctrl+E", self.edit_current),
                     ("Ctrl+Return", self.pin_current), ("Delete", self.delete_selected),
                     ("Ctrl+Shift+E", self.export_selected), ("Ctrl+Z", self.undo),
                     ("Ctrl+Shift+I", self.import_chosen),
                     ("F5", self.reload), ("Ctrl+W", self.close), ("Escape", self._escape))
        for keys, action in shortcuts:
            QShortcut(QKeySequence(keys), self, action)
        self.filter_box.returnPressed.connect(self.open_current)
        self.table.activated.connect(lambda _index: self.open_current())
        self.filter_box.installEventFilter(self)
        self.resize(1180, 660)
        self._update_buttons()

    def closeEvent(self, event: Any) -> None:
        """The rows go with the window (38k of them are tens of MB a tray app should not keep);
        the filters stay for next time."""
        self.catalogue = Catalogue([])
        self.model.show([])
        super().closeEvent(event)

    # -- loading --------------------------------------------------------------------------
    def reload(self) -> None:
        self.status.setText("Reading the library…")
        self._runner(self._load, self._loaded, self._load_failed)

    def _loaded(self, entries: list[CatalogueEntry]) -> None:
        order = self.catalogue.order
        self.catalogue = Catalogue(entries)
        self.catalogue.sort(order)
        found = choices(entries)
        for name, combo in self.combos.items():
            chosen = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for value in found[name]:
                combo.addItem(value, value)
            at = combo.findData(chosen)
            combo.setCurrentIndex(max(at, 0))
            combo.blockSignals(False)
        self._refilter()

    def _load_failed(self, error: Exception) -> None:
        self.status.setText(f"The library cannot be listed: {error}")

    # -- filtering ------------------------------------------------------------------------
    def current_filter(self) -> CatalogueFilter:
        values = {name: str(combo.currentData() or "") for name, combo in self.combos.items()}
        return CatalogueFilter(text=self.filter_box.text(), review_due=self.review_due.isChecked(),
                               **values)

    def _refilter(self) -> None:
        self.generation += 1
        rows = self.catalogue.filter(self.current_filter())
        self.model.show(rows)
        if rows:
            self.table.setCurrentIndex(self.model.index(0, 0))
        self.table.filter_to_paint = self.generation
        trace.trace("library-filtered", generation=self.generation, rows=len(rows))
        self._show_count()

    def _resort(self) -> None:
        self.catalogue.sort(SortOrder(self.sort.currentData()))
        self._refilter()

    def _show_count(self) -> None:
        shown, total = len(self.model.rows), len(self.catalogue.entries)
        text = f"{total:,} aids" if shown == total else f"{shown:,} of {total:,} aids"
        selected = len(self.selected())
        if selected > 1:
            text += f" · {selected:,} selected"
        if total and not shown:
            text += " · nothing matches: clear a filter"
        self.status.setText(text)
        self._update_buttons()

    def _update_buttons(self) -> None:
        selected = self.selected()
        one = len(selected) == 1
        for name in ("open", "edit", "pin"):
            self.buttons[name].setEnabled(one)
        writable = bool(selected) and all(self._writable(e) for e in selected)
        self.buttons["delete"].setEnabled(writable)
        self.buttons["move"].setEnabled(writable)
        self.buttons["copy"].setEnabled(bool(selected))  # a read-only aid can be published too
        self.buttons["export"].setEnabled(bool(selected))

    def _writable(self, entry: CatalogueEntry) -> bool:
        collection = self.store.collection_for(Path(entry.path))
        return collection is not None and not collection.read_only

    def selected(self) -> list[CatalogueEntry]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.rows[row] for row in rows if row < len(self.model.rows)]

    def eventFilter(self, watched: Any, event: Any) -> bool:
        """Up and Down in the filter box move in the table, as in the popup."""
        from PySide6.QtCore import QEvent

        if watched is self.filter_box and event.type() == QEvent.Type.KeyPress and event.key() in (
                Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            self.table.setFocus()
            self.table.keyPressEvent(event)
            return True
        return super().eventFilter(watched, event)

    def _focus_filter(self) -> None:
        self.filter_box.setFocus()
        self.filter_box.selectAll()

    def _escape(self) -> None:
        if self.filter_box.text():
            self.filter_box.clear()
        else:
            self.close()

    # -- acting on aids -------------------------------------------------------------------
    def _one(self) -> CatalogueEntry | None:
        selected = self.selected()
        return selected[0] if len(selected) == 1 else None

    def open_current(self) -> None:
        entry = self._one()
        if entry is not None:
            self.open_requested.emit(entry.path)

    def edit_current(self) -> None:
        entry = self._one()
        if entry is not None:
            self.edit_requested.emit(entry.path)

    def pin_current(self) -> None:
        entry = self._one()
        if entry is not None:
            self.pin_requested.emit(entry.path)

    def _context_menu(self, position: Any) -> None:
        menu = QMenu(self)
        for name, text in (("open", "Open"), ("edit", "Edit"), ("pin", "Pin beside my work"),
                           ("export", "Export…"), ("delete", "Delete (to the trash)")):
            action = menu.addAction(text)
            action.setEnabled(self.buttons[name].isEnabled())
            action.triggered.connect(self.buttons[name].click)
        move = menu.addMenu("Move to")
        move.setEnabled(self.buttons["move"].isEnabled())
        self._fill(move)
        copy = menu.addMenu("Publish a copy to")
        copy.setEnabled(self.buttons["copy"].isEnabled())
        self._fill(copy, self.copy_selected)
        menu.exec(self.table.viewport().mapToGlobal(position))

    def _fill_move_menu(self) -> None:
        self._fill(self.move_menu)

    def _fill(self, menu: QMenu, act: Callable[[str], None] | None = None) -> None:
        menu.clear()
        act = act or self.move_selected
        here = {e.collection for e in self.selected()}
        for collection in self.store.collections.all():
            if collection.read_only or here == {collection.name}:
                continue
            label = collection.name + (" (team)" if collection.kind.value == "team" else "")
            menu.addAction(label).triggered.connect(
                lambda _=False, name=collection.name: act(name))
        if menu.isEmpty():
            menu.addAction("No other writable collection: add one in Settings").setEnabled(False)

    def _load_aids(self, entries: list[CatalogueEntry]) -> list[tuple[CatalogueEntry, JobAid]]:
        aids, failed = [], []
        for entry in entries:
            try:
                aids.append((entry, self.store.load(Path(entry.path))))
            except JobAidError as error:
                failed.append(f"{entry.title}: {error}")
        if failed:
            dialogs.warn(self, "Handrail", "These aids cannot be read:\n" + "\n".join(failed[:10]))
        return aids

    def delete_selected(self) -> None:
        entries = self.selected()
        if not entries or not self.buttons["delete"].isEnabled():
            return
        if len(entries) > 1 and dialogs.ask(
                self, "Delete aids", f"Move {len(entries):,} aids to the trash? Ctrl+Z brings "
                "them back.") != dialogs.Button.Yes:
            return
        change = _Change("delete")
        for entry, aid in self._load_aids(entries):
            try:
                change.trashed.append(self.store.delete_aid(aid).entry_id)
            except JobAidError as error:
                change.errors.append(f"{entry.title}: {error}")
                continue
            change.removed.append(entry)
        self._apply(change, f"Moved {len(change.removed):,} to the trash · Ctrl+Z undoes it")

    def move_selected(self, collection_name: str) -> None:
        change = _Change(f"move to {collection_name}")
        for entry, aid in self._load_aids(self.selected()):
            try:
                moved, trashed = self.store.move_aid(aid, collection_name)
            except JobAidError as error:
                change.errors.append(f"{entry.title}: {error}")
                continue
            if trashed is not None and moved.source is not None:
                change.trashed.append(trashed.entry_id)
                change.removed.append(entry)
                change.added.append(dataclasses.replace(
                    entry, path=str(moved.source.path), collection=collection_name,
                    id=moved.id))
        self._apply(change, f"Moved {len(change.removed):,} to {collection_name} · Ctrl+Z "
                    "undoes it")

    def copy_selected(self, collection_name: str) -> None:
        """Publish copies into a (team) collection; the originals stay."""
        change = _Change(f"copy to {collection_name}")
        for entry, aid in self._load_aids(self.selected()):
            try:
                copy = self.store.copy_aid(aid, collection_name)
            except JobAidError as error:
                change.errors.append(f"{entry.title}: {error}")
                continue
            assert copy.source is not None
            change.added.append(dataclasses.replace(
                entry, path=str(copy.source.path), collection=collection_name, id=copy.id))
        count = len(change.added)
        self._apply(change, f"Published {count:,} {'copy' if count == 1 else 'copies'} to "
                    f"{collection_name} · Ctrl+Z undoes it")

    def _apply(self, change: _Change, message: str) -> None:
        """Show a delete, move or copy at once (the index learns of it a moment later)."""
        if change.trashed or change.added:
            self._undo.append(change)
        self.catalogue.replace(change.removed, change.added)
        self._refilter()
        if change.errors:
            dialogs.warn(self, "Handrail", "Not every aid was changed:\n"
                         + "\n".join(change.errors[:10]))
        if change.removed or change.added:
            self.status.setText(message)
            self.changed.emit()

    def undo(self) -> None:
        """Undo the last delete or move: the copies a move made go to the trash, and the
        originals come back from it."""
        if not self._undo:
            self.status.setText("Nothing to undo.")
            return
        change = self._undo.pop()
        errors = []
        for entry, aid in self._load_aids(change.added):
            try:
                self.store.delete_aid(aid)
            except JobAidError as error:
                errors.append(f"{entry.title}: {error}")
        back = []
        for entry_id, entry in zip(change.trashed, change.removed, strict=True):
            try:
                path = self.store.restore(entry_id)
            except JobAidError as error:
                errors.append(str(error))
                continue
            back.append(dataclasses.replace(entry, path=str(path)))
        self.catalogue.replace(change.added, back)
        self._refilter()
        if errors:
            dialogs.warn(self, "Handrail", "Not everything came back:\n" + "\n".join(errors[:10]))
        self.status.setText(f"Undone: the {change.what} of {len(back or change.added):,} "
                            "aids.")
        self.changed.emit()

    def import_chosen(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, "Import aids", str(Path.home()),
            "Aids and documents (*.handrail *.md *.markdown *.txt *.html *.htm *.docx *.pptx "
            "*.pdf);;All files (*)")
        if names:
            self.import_paths([Path(name) for name in names])

    def import_paths(self, paths: list[Path]) -> None:
        """Import bundles and documents into the user's own aids; an aid the library has
        already is updated, kept beside, or skipped, as the user answers; a report says what
        came in, what was split and what was skipped, and why."""
        from job_aids import OWN, import_files
        from job_aids.bundle import SUFFIX, Existing, install_bundle, read_bundle

        remembered: list[Existing] = []

        def decide(existing: JobAid, bundled: Any) -> Existing:
            if remembered:
                return remembered[0]
            where = existing.source.relpath if existing.source else existing.id
            labels = {"&Update it": Existing.UPDATE, "&Keep both": Existing.KEEP_BOTH,
                      "&Skip": Existing.SKIP}
            chosen, for_all = dialogs.choose(
                self, "Already in your library",
                f"“{bundled.title}” is already in your library ({where}).\n\nUpdate it (the "
                "version there now is kept in its history), keep both, or skip it?",
                list(labels), default="&Keep both", for_all="Do the same for the rest")
            answer = labels.get(chosen or "&Skip", Existing.SKIP)
            if for_all:
                remembered.append(answer)
            return answer

        lines: list[str] = []
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            for path in [p for p in paths if p.suffix.lower() == SUFFIX]:
                try:
                    report = install_bundle(self.store, read_bundle(path), OWN, decide)
                except JobAidError as error:
                    lines.append(f"{path.name}: not imported: {error}")
                    continue
                lines.append(f"{path.name}: {report.summary()}")
                lines += [f"  skipped {title}: {why}" for title, why in report.skipped]
                lines += [f"  note: {note}" for note in report.notes]
            documents = [p for p in paths if p.suffix.lower() != SUFFIX]
            if documents:
                collection = self.store.collections.get(OWN)

                def replace(target: Path, data: bytes) -> None:
                    self.store.replace_bytes(self.store.load(target, collection), data)

                try:
                    files = import_files(documents, collection.path, replace=replace)
                except JobAidError as error:
                    lines.append(f"Not imported: {error}")
                else:
                    lines.append(f"Imported {len(files.imported):,} aids, updated "
                                 f"{len(files.updated):,}, skipped {len(files.skipped):,}")
                    lines += [f"  split {s.name} into {n} aids, one per section"
                              for s, n in files.split]
                    lines += [f"  updated {t.name} (imported from {s.name} before)"
                              for s, t in files.updated]
                    lines += [f"  skipped {k.source.name}: {k.reason}" for k in files.skipped]
                    lines += [f"  warning: {w}" for w in files.warnings]
        finally:
            QApplication.restoreOverrideCursor()
        self.last_import_report = "\n".join(lines)
        self.status.setText(lines[0] if len(lines) == 1 else f"{lines[0]} …")
        dialogs.inform(self, "Import", self.last_import_report)
        self.changed.emit()
        self.reload()

    def export_selected(self) -> None:
        from job_aids.bundle import SUFFIX, export_bundle

        entries = self.selected()
        if not entries:
            return
        stem = "handrail-aids" if len(entries) > 1 else Path(entries[0].path).stem
        target, _ = QFileDialog.getSaveFileName(self, "Export aids",
                                                str(Path.home() / f"{stem}{SUFFIX}"),
                                                f"Handrail bundles (*{SUFFIX})")
        if not target:
            return
        aids = [aid for _, aid in self._load_aids(entries)]
        try:
            exported = export_bundle(aids, Path(target))
        except JobAidError as error:
            dialogs.warn(self, "Handrail", f"The aids were not exported: {error}")
            return
        images = f" and {exported.attachments:,} images" if exported.attachments else ""
        self.status.setText(f"Exported {exported.aids:,} aids{images} to {exported.file}")
