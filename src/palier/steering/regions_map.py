"""The map of regions: a tile map drawn by Palier, one tile per region, placed roughly where
the region lies (the thirteen mainland regions on a grid; the five overseas regions, the
overseas collectivities and abroad in a row of their own).

Each tile writes the region's figure (the share of learners reached, or the number reached
when no region has enrolment figures) and links to the region's row of the region table;
its shade only repeats the share, in bands of BAND_WIDTH points, so colour never carries
information alone. The positions are CSS grid
areas named after the region codes (steering.css): this module only says which tiles go
where and with which figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from palier.accounts.choices import Region
from palier.steering.privacy import Shown
from palier.steering.tables import Table

# The mainland regions, read left to right and top to bottom on the map.
MAINLAND = (
    Region.HAUTS_DE_FRANCE,
    Region.BRETAGNE,
    Region.NORMANDIE,
    Region.ILE_DE_FRANCE,
    Region.GRAND_EST,
    Region.PAYS_DE_LA_LOIRE,
    Region.CENTRE_VAL_DE_LOIRE,
    Region.BOURGOGNE_FRANCHE_COMTE,
    Region.NOUVELLE_AQUITAINE,
    Region.AUVERGNE_RHONE_ALPES,
    Region.OCCITANIE,
    Region.PROVENCE_ALPES_COTE_D_AZUR,
    Region.CORSE,
)
OVERSEAS = (
    Region.GUADELOUPE,
    Region.MARTINIQUE,
    Region.GUYANE,
    Region.LA_REUNION,
    Region.MAYOTTE,
)
ELSEWHERE = (Region.OVERSEAS_COLLECTIVITIES, Region.ABROAD)
# Shades step every BAND_WIDTH percentage points; the last band holds everything above.
BAND_WIDTH = 20
BANDS = 5


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    # The region's figure; None when the table has no row for the region.
    value: Shown | None
    # "0" to "4" by figure, "none" when there is no figure to shade (hidden or missing).
    band: str
    anchor: str


@dataclass(frozen=True)
class Band:
    key: str
    label: str


@dataclass(frozen=True)
class RegionMap:
    mainland: tuple[Tile, ...]
    overseas: tuple[Tile, ...]
    elsewhere: tuple[Tile, ...]
    # True when the tiles show shares (%), False when they show numbers of learners.
    percent: bool
    legend: tuple[Band, ...]


def band(value: Shown | None) -> str:
    if value is None or value.value is None:
        return "none"
    return str(min(int(float(value.value) // BAND_WIDTH), BANDS - 1))


def legend() -> tuple[Band, ...]:
    bands = [
        Band(
            str(index),
            _("de %(low)s à moins de %(high)s %%") % {"low": low, "high": low + BAND_WIDTH},
        )
        for index, low in enumerate(range(0, BAND_WIDTH * (BANDS - 1), BAND_WIDTH))
    ]
    bands.append(Band(str(BANDS - 1), _("%(low)s %% et plus") % {"low": BAND_WIDTH * (BANDS - 1)}))
    bands.append(Band("none", _("pas de chiffre ou chiffre masqué")))
    return tuple(bands)


def region_map(table: Table) -> RegionMap:
    """Tiles for every region, with the "% touchés" figure (or, without it, the "Touchés"
    one) of the table's row keyed by the region's code; anchors point at the table's rows
    (`<table code>-<region code>`, as the table partial writes them)."""
    percent = _("% touchés") in table.columns
    column = table.columns.index(_("% touchés") if percent else _("Touchés"))
    by_code = {row.key: row for row in table.rows}

    def tile(region: Region) -> Tile:
        row = by_code.get(region.value)
        value = row.cells[column] if row is not None else None
        if value is not None and value.absent:
            value = None  # no enrolment declared: no share, not a hidden one
        return Tile(
            code=region.value,
            name=str(region.label),
            value=value,
            band=band(value) if percent else "count",
            anchor=f"{table.code}-{region.value}",
        )

    return RegionMap(
        mainland=tuple(tile(region) for region in MAINLAND),
        overseas=tuple(tile(region) for region in OVERSEAS),
        elsewhere=tuple(tile(region) for region in ELSEWHERE),
        percent=percent,
        legend=legend() if percent else (),
    )
