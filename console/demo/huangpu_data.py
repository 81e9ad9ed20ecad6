"""Hand-placed geography of the demo district 黄浦 (demo): outline, named roads, sites.

Coordinates are WGS-84 (lon, lat), read off public maps to within roughly
50-150 m: good enough for a believable demo, not survey data (the district is
flagged ``approximate``).  Everything generated (local streets, areas, units)
hangs off these tables, so correcting a road here corrects the whole demo.
"""

from __future__ import annotations

from typing import NamedTuple

from console.domain import LonLat, RoadClass

A = RoadClass.ARTERIAL
S = RoadClass.SECONDARY
L = RoadClass.LOCAL
P = RoadClass.PEDESTRIAN


class RoadSpec(NamedTuple):
    """A named road drawn by hand; the generator densifies and nodes it."""

    name: str
    road_class: RoadClass
    oneway: bool
    points: tuple[LonLat, ...]


# Clockwise from the mouth of Suzhou Creek: down the Huangpu River (the Bund,
# Shiliupu, Dongjiadu, Nanpu Bridge), west along the river past the Expo site and
# Lupu Bridge, north along Rijin Rd / Shaanxi S Rd, then Chengdu Rd and back east
# along Suzhou Creek.
OUTLINE: tuple[LonLat, ...] = (
    (121.4912, 31.2452),  # 外白渡桥, Suzhou Creek mouth
    (121.4918, 31.2400),  # the Bund
    (121.4935, 31.2345),
    (121.4962, 31.2300),  # 新开河
    (121.4992, 31.2255),  # 十六铺
    (121.5022, 31.2205),  # 老码头
    (121.5047, 31.2150),  # 董家渡
    (121.5056, 31.2095),  # 南浦大桥
    (121.5038, 31.2030),
    (121.4978, 31.1975),
    (121.4880, 31.1930),  # 世博浦西
    (121.4770, 31.1910),  # 卢浦大桥
    (121.4680, 31.1925),
    (121.4625, 31.1960),  # 日晖港
    (121.4600, 31.2040),  # 徐家汇路
    (121.4592, 31.2110),
    (121.4588, 31.2200),  # 陕西南路
    (121.4620, 31.2265),
    (121.4662, 31.2300),  # 延安中路
    (121.4672, 31.2390),
    (121.4684, 31.2440),  # 成都北路 at Suzhou Creek
    (121.4740, 31.2446),
    (121.4800, 31.2451),
    (121.4860, 31.2456),
)

# Outline edges k (vertex k -> k+1) that run along land (Rijin Rd .. Chengdu Rd);
# the others follow the Huangpu River or Suzhou Creek, with a riverside road and
# no streets between it and the water.
LAND_EDGES: tuple[int, ...] = tuple(range(13, 20))

LANDMARKS: dict[str, LonLat] = {
    "外滩": (121.4905, 31.2400),
    "外白渡桥": (121.4903, 31.2443),
    "陈毅广场": (121.4902, 31.2391),
    "南京路步行街": (121.4800, 31.2362),
    "世纪广场": (121.4822, 31.2371),
    "南京东路站": (121.4840, 31.2380),
    "人民广场": (121.4737, 31.2304),
    "人民公园": (121.4722, 31.2328),
    "大世界": (121.4790, 31.2290),
    "豫园": (121.4920, 31.2272),
    "城隍庙": (121.4906, 31.2258),
    "十六铺": (121.4958, 31.2282),
    "老码头": (121.4995, 31.2195),
    "董家渡": (121.5010, 31.2160),
    "老西门": (121.4800, 31.2212),
    "新天地": (121.4750, 31.2196),
    "复兴公园": (121.4695, 31.2180),
    "田子坊": (121.4690, 31.2100),
    "打浦桥": (121.4665, 31.2062),
    "南浦大桥": (121.5035, 31.2085),
    "世博浦西": (121.4860, 31.1965),
}

# Open spaces without local streets: (lon_min, lat_min, lon_max, lat_max).
PARKS: tuple[tuple[float, float, float, float], ...] = (
    (121.4712, 31.2300, 121.4770, 31.2340),  # 人民广场 / 人民公园
    (121.4683, 31.2168, 121.4708, 31.2192),  # 复兴公园
    (121.4905, 31.2266, 121.4933, 31.2282),  # 豫园 garden itself
    (121.4800, 31.1935, 121.4900, 31.1985),  # 世博浦西 park
)

# Lanes that are pedestrian-only: (lon, lat, radius in metres).
PEDESTRIAN_ZONES: tuple[tuple[float, float, float], ...] = (
    (121.4915, 31.2266, 190.0),  # 豫园商城 / 城隍庙
    (121.4690, 31.2100, 110.0),  # 田子坊
    (121.4750, 31.2200, 90.0),  # 新天地
)

_BUND = ((121.4903, 31.2445), (121.4908, 31.2400), (121.4925, 31.2342))
_RING_CENTRE = (121.4895, 31.2228)  # 老城厢: 人民路 (north) + 中华路 (south)
_RING_AXES = (0.0078, 0.0060)
LAOXIMEN: LonLat = (121.4800, 31.2212)


def _ring(a0: float, a1: float, step: float = 10.0) -> tuple[LonLat, ...]:
    """Points of the old-city ellipse from angle a0 to a1 (degrees, counter-clockwise)."""
    import math

    n = max(2, round(abs(a1 - a0) / step) + 1)
    out = []
    for k in range(n):
        a = math.radians(a0 + (a1 - a0) * k / (n - 1))
        out.append(
            (
                round(_RING_CENTRE[0] + _RING_AXES[0] * math.cos(a), 6),
                round(_RING_CENTRE[1] + _RING_AXES[1] * math.sin(a), 6),
            )
        )
    return tuple(out)


NAMED_ROADS: tuple[RoadSpec, ...] = (
    # --- along the river
    RoadSpec("中山东一路", A, False, _BUND),
    RoadSpec(
        "中山东二路", A, False, ((121.4925, 31.2342), (121.4950, 31.2296), (121.4968, 31.2272))
    ),
    RoadSpec(
        "中山南路",
        A,
        False,
        (
            (121.4968, 31.2272),
            (121.4980, 31.2250),
            (121.5010, 31.2200),
            (121.5035, 31.2148),
            (121.5042, 31.2100),
            (121.5035, 31.2075),
        ),
    ),
    RoadSpec(
        "中山南一路",
        A,
        False,
        (
            (121.5035, 31.2075),
            (121.4950, 31.2060),
            (121.4870, 31.2045),
            (121.4780, 31.2022),
            (121.4700, 31.2002),
            (121.4650, 31.1992),
        ),
    ),
    RoadSpec(
        "南苏州路",
        S,
        False,
        (
            (121.4903, 31.2445),
            (121.4860, 31.2448),
            (121.4800, 31.2443),
            (121.4740, 31.2438),
            (121.4700, 31.2436),
        ),
    ),
    # --- east-west, the former concession (they slope west-south-west)
    RoadSpec("北京东路", S, False, ((121.4910, 31.2428), (121.4850, 31.2420), (121.4783, 31.2410))),
    RoadSpec("南京东路", A, False, ((121.4908, 31.2398), (121.4848, 31.2384))),
    RoadSpec("南京东路", P, False, ((121.4848, 31.2384), (121.4815, 31.2371), (121.4777, 31.2354))),
    RoadSpec("南京西路", A, False, ((121.4777, 31.2354), (121.4740, 31.2345), (121.4698, 31.2335))),
    RoadSpec("九江路", S, True, ((121.4912, 31.2386), (121.4845, 31.2363), (121.4778, 31.2341))),
    RoadSpec("汉口路", S, True, ((121.4778, 31.2331), (121.4845, 31.2352), (121.4915, 31.2374))),
    RoadSpec("福州路", S, True, ((121.4918, 31.2362), (121.4848, 31.2341), (121.4778, 31.2320))),
    RoadSpec("广东路", S, True, ((121.4848, 31.2328), (121.4921, 31.2350))),
    RoadSpec("人民大道", S, False, ((121.4777, 31.2322), (121.4740, 31.2320), (121.4699, 31.2318))),
    RoadSpec("延安东路", A, False, ((121.4929, 31.2332), (121.4848, 31.2311), (121.4778, 31.2298))),
    RoadSpec(
        "延安中路",
        A,
        False,
        ((121.4778, 31.2298), (121.4720, 31.2290), (121.4660, 31.2284), (121.4648, 31.2283)),
    ),
    RoadSpec("金陵东路", S, False, ((121.4937, 31.2318), (121.4870, 31.2302), (121.4784, 31.2280))),
    # --- north-south
    RoadSpec("江西中路", S, False, ((121.4886, 31.2444), (121.4883, 31.2380), (121.4882, 31.2320))),
    RoadSpec("四川中路", S, False, ((121.4868, 31.2445), (121.4866, 31.2380), (121.4865, 31.2316))),
    RoadSpec("河南中路", A, False, ((121.4850, 31.2446), (121.4849, 31.2384), (121.4848, 31.2311))),
    RoadSpec(
        "河南南路",
        A,
        False,
        ((121.4848, 31.2311), (121.4850, 31.2275), (121.4852, 31.2200), (121.4855, 31.2136)),
    ),
    RoadSpec(
        "西藏中路",
        A,
        False,
        ((121.4788, 31.2442), (121.4780, 31.2400), (121.4777, 31.2354), (121.4778, 31.2298)),
    ),
    RoadSpec(
        "西藏南路",
        A,
        False,
        (
            (121.4778, 31.2298),
            (121.4790, 31.2252),
            LAOXIMEN,
            (121.4812, 31.2160),
            (121.4822, 31.2130),
            (121.4830, 31.2080),
            (121.4836, 31.2036),
        ),
    ),
    RoadSpec(
        "成都北路",
        A,
        False,
        ((121.4700, 31.2436), (121.4698, 31.2390), (121.4698, 31.2335), (121.4697, 31.2289)),
    ),
    RoadSpec(
        "重庆南路",
        A,
        False,
        ((121.4697, 31.2289), (121.4702, 31.2210), (121.4707, 31.2120), (121.4712, 31.2070)),
    ),
    RoadSpec("鲁班路", A, False, ((121.4712, 31.2070), (121.4710, 31.2000), (121.4708, 31.1935))),
    RoadSpec("黄陂南路", S, False, ((121.4738, 31.2291), (121.4740, 31.2200), (121.4745, 31.2094))),
    RoadSpec("瑞金一路", S, False, ((121.4662, 31.2284), (121.4660, 31.2207))),
    RoadSpec("瑞金二路", S, False, ((121.4660, 31.2207), (121.4659, 31.2136), (121.4662, 31.2055))),
    RoadSpec("打浦路", S, False, ((121.4662, 31.2055), (121.4660, 31.1996))),
    RoadSpec(
        "半淞园路",
        S,
        False,
        ((121.4935, 31.2135), (121.4930, 31.2100), (121.4925, 31.2058), (121.4905, 31.1995)),
    ),
    RoadSpec("南车站路", S, False, ((121.4985, 31.2134), (121.4982, 31.2068))),
    # --- the old city (老城厢) ring and the roads through it
    RoadSpec("人民路", A, False, ((121.4968, 31.2272), *_ring(45.0, 160.0), LAOXIMEN)),
    RoadSpec("中华路", A, False, (LAOXIMEN, *_ring(210.0, 405.0))),
    RoadSpec("淮海东路", S, False, ((121.4790, 31.2252), _ring(160.0, 160.0)[0])),
    RoadSpec(
        "淮海中路",
        A,
        False,
        ((121.4790, 31.2252), (121.4740, 31.2233), (121.4680, 31.2212), (121.4602, 31.2190)),
    ),
    RoadSpec("复兴东路", A, False, ((121.5003, 31.2212), (121.4900, 31.2220), LAOXIMEN)),
    RoadSpec(
        "复兴中路",
        A,
        False,
        (LAOXIMEN, (121.4745, 31.2178), (121.4680, 31.2150), (121.4600, 31.2125)),
    ),
    RoadSpec("方浜中路", S, False, ((121.4960, 31.2252), (121.4900, 31.2250), (121.4822, 31.2240))),
    RoadSpec(
        "陆家浜路",
        A,
        False,
        ((121.5038, 31.2132), (121.4950, 31.2135), (121.4880, 31.2137), (121.4822, 31.2130)),
    ),
    RoadSpec(
        "徐家汇路",
        A,
        False,
        (
            (121.4822, 31.2130),
            (121.4760, 31.2100),
            (121.4712, 31.2070),
            (121.4662, 31.2055),
            (121.4612, 31.2040),
        ),
    ),
    RoadSpec(
        "龙华东路",
        S,
        False,
        ((121.4990, 31.2030), (121.4900, 31.2008), (121.4800, 31.1990), (121.4710, 31.1972)),
    ),
)


class StationSite(NamedTuple):
    """A police station: code is the 2-character short name used in area codes."""

    code: str
    name: str
    lon: float
    lat: float


STATIONS: tuple[StationSite, ...] = (
    StationSite("外滩", "外滩派出所", 121.4890, 31.2418),
    StationSite("南东", "南京东路派出所", 121.4822, 31.2385),
    StationSite("人广", "人民广场派出所", 121.4752, 31.2350),
    StationSite("豫园", "豫园派出所", 121.4912, 31.2245),
    StationSite("小东", "小东门派出所", 121.4985, 31.2185),
    StationSite("老西", "老西门派出所", 121.4832, 31.2185),
    StationSite("淮海", "淮海中路派出所", 121.4722, 31.2245),
    StationSite("瑞金", "瑞金二路派出所", 121.4630, 31.2160),
    StationSite("打浦", "打浦桥派出所", 121.4682, 31.2055),
    StationSite("半淞", "半淞园路派出所", 121.4930, 31.2085),
    StationSite("五里", "五里桥派出所", 121.4772, 31.1992),
)

# 1-minute points: (code, name, landmark key); each gets a special-police team.
FIXED_POINTS: tuple[tuple[str, str, str], ...] = (
    ("FP01", "外滩陈毅广场", "陈毅广场"),
    ("FP02", "南京路步行街世纪广场", "世纪广场"),
    ("FP03", "人民广场", "人民广场"),
    ("FP04", "豫园", "豫园"),
    ("FP05", "城隍庙", "城隍庙"),
    ("FP06", "新天地", "新天地"),
    ("FP07", "田子坊", "田子坊"),
    ("FP08", "大世界", "大世界"),
    ("FP09", "十六铺", "十六铺"),
    ("FP10", "老码头", "老码头"),
    ("FP11", "董家渡", "董家渡"),
)

# Traffic posts at major junctions (two named roads that cross there).
TRAFFIC_POSTS: tuple[tuple[str, str], ...] = (
    ("西藏中路", "延安东路"),
    ("西藏中路", "南京西路"),
    ("中山东一路", "南京东路"),
    ("河南中路", "延安东路"),
    ("西藏南路", "淮海中路"),
    ("重庆南路", "复兴中路"),
    ("徐家汇路", "鲁班路"),
    ("中山南路", "陆家浜路"),
)
