"""English article texts for the sample corpus (invented for the project)."""

IPIS_EN = [
    dict(
        file="ipis-en-sanctions.html",
        slug="oil-sanctions-limits-of-pressure",
        title="Oil Sanctions and the Limits of Pressure: Iran's Energy Exports in 2025",
        lead="Three years of tighter enforcement have changed the routes of Iranian oil, "
        "not its volume. What does this mean for the next round of nuclear talks?",
        date_line="1 February 2025",
        views=280,
        author_line="Behzad khakpoor, Senior Researcher, IPIS",
        signature="Behzad khakpoor",
        section="Energy",
        tags=["sanctions", "oil", "energy", "China"],
        body=[
            ("p", "Sanctions on Iran's oil sector were designed to bring exports close to zero. "
             "In practice, crude shipments have recovered to more than 1.5 million barrels per "
             "day, most of them bound for independent refineries on the Chinese coast. The "
             "pressure campaign has raised the cost of every barrel, but it has not removed "
             "Iranian oil from the market."),
            ("p", "The adjustment has three parts: a larger fleet of ageing tankers, "
             "ship-to-ship transfers off the Malaysian coast, and payment channels that avoid "
             "the U.S. dollar. Each adds a discount of a few dollars per barrel, which Tehran "
             "has so far been willing to accept."),
            ("ul", [
                "Exports of condensate and fuel oil have grown faster than crude exports.",
                "Gas sales to Turkey remain exposed to payment delays and to the expiry of "
                "the contract in 2026.",
                "Petrochemical exporters now hold a larger share of the hard currency that "
                "returns home.",
            ]),
            ("p", "For European negotiators, the lesson is uncomfortable. If sanctions cannot "
             "stop the oil trade, they are a weak lever in the nuclear talks. For Tehran, the "
             "lesson is different: the discount is a permanent tax on the economy, and "
             "economic cooperation with its neighbours cannot grow while banks fear "
             "secondary sanctions."),
            ("p", "A realistic settlement would therefore trade limits on enrichment for "
             "predictable access to banking, not for a one-time lifting of sanctions that the "
             "next administration could reverse. Both sides have reasons to prefer a smaller, "
             "durable deal to a larger, fragile one."),
        ],
    ),
    dict(
        file="ipis-en-nuclear-talks.html",
        slug="reviving-nuclear-talks-three-scenarios",
        title="Reviving the Nuclear Talks: Three Scenarios for 2025",
        lead="With the snapback deadline approaching, the parties must choose between a "
        "limited interim deal, a slow freeze and open confrontation.",
        date_line="20 January 2025",
        views=1043,
        author_line="Behzad Khakpoor, Senior Researcher, IPIS",
        signature="Behzad Khakpoor",
        section="Nuclear Issue",
        tags=["nuclear talks", "JCPOA", "Europe"],
        body=[
            ("p", "The nuclear talks between Iran and the three European states have resumed "
             "in a new format: fewer plenary sessions, more expert meetings, and a narrower "
             "agenda. The question is no longer whether the 2015 agreement can be restored as "
             "it was, but what can replace it before October 2025, when the snapback "
             "provisions expire."),
            ("p", "We see three scenarios for the coming months."),
            ("ul", [
                "An interim arrangement: a cap on enrichment at 60 percent and more inspections, "
                "in exchange for released assets and a pause in new sanctions.",
                "A slow freeze: talks continue without result, both sides avoid escalation, and "
                "the snapback question is postponed rather than settled.",
                "Confrontation: the Europeans trigger snapback, Tehran reduces cooperation with "
                "the IAEA, and regional security deteriorates.",
            ]),
            ("p", "The first scenario is the most fragile and the most useful. It requires "
             "negotiators to accept that a partial deal is better than none, and it requires "
             "Washington to tolerate an agreement it did not write."),
            ("p", "Whatever the outcome, the nuclear talks have become a regional matter. Gulf "
             "capitals, which opposed the 2015 deal, now ask to be consulted, and their "
             "economic cooperation with Tehran gives them a voice that they did not have a "
             "decade ago."),
        ],
    ),
    dict(
        file="ipis-en-water.html",
        slug="water-crisis-iranian-plateau-regional-security",
        title="Water Crisis on the Iranian Plateau: A Regional Security Issue",
        lead="Falling aquifers and shared rivers link Iran's water crisis to its relations "
        "with Afghanistan, Iraq and Turkey.",
        date_line="19 January 2025",
        views=512,
        author_line="Dr. Behzad Khakpoor, Senior Researcher, IPIS",
        signature="Behzad Khakpoor",
        section="Environment",
        tags=["water crisis", "Helmand", "regional security"],
        body=[
            ("p", "Iran consumes more water than its rivers and rains can replace. Groundwater "
             "levels in the central plateau fall by up to a metre every year, and land "
             "subsidence now threatens roads, railways and the foundations of Isfahan's "
             "historic bridges."),
            ("p", "The water crisis is usually discussed as a domestic failure of planning. It "
             "is also a question of regional security. Three rivers that matter to Iran rise "
             "beyond its borders:"),
            ("ul", [
                "the Helmand, whose flow into Sistan depends on dams in Afghanistan;",
                "the Tigris tributaries shared with Iraq and, upstream, Turkey;",
                "the Harirud, where the Salma dam reduces what reaches Mashhad.",
            ]),
            ("p", "Diplomacy over water has so far been episodic: a visit after a drought, a "
             "statement after a clash at the border. A standing commission with data sharing "
             "would cost little and prevent much."),
            ("p", "Economic cooperation can help. Trade corridors through Afghanistan give "
             "Tehran a reason to engage Kabul, and water could be part of the same package "
             "rather than a separate grievance."),
        ],
    ),
    dict(
        file="ipis-en-iraq-sanctions.html",
        slug="sanctions-waivers-iraq-gas-imports",
        title="Sanctions Waivers and Iraq's Gas Imports from Iran",
        lead="Baghdad needs Iranian gas to keep the lights on; Washington's waivers decide "
        "whether it can pay for it.",
        date_line="12 March 2024",
        views=167,
        author_line="Maryam Hosseini, Research Fellow, IPIS",
        signature="Maryam Hosseini",
        section="Energy",
        tags=["Iraq", "gas", "sanctions"],
        body=[
            ("p", "Every summer, when demand for air conditioning peaks, Iraq's power stations "
             "burn Iranian gas. The gas flows; the payments often do not. Revenues sit in "
             "Iraqi accounts that Iran can use only for humanitarian purchases, under "
             "sanctions waivers renewed every 120 days."),
            ("ul", [
                "Iraq imports roughly a third of the gas its power plants use.",
                "Arrears to Iran have at times exceeded 10 billion dollars.",
                "Waiver renewals have become a lever in wider regional bargaining.",
            ]),
            ("p", "The arrangement suits nobody. Iraq wants to develop its own associated gas, "
             "Iran wants cash, and the United States wants Iraq to reduce its dependence on "
             "Tehran without causing blackouts in Basra."),
            ("p", "Oil and gas diplomacy in the region will remain hostage to the waiver cycle "
             "unless Baghdad builds alternatives, which will take years."),
        ],
    ),
    dict(
        file="ipis-en-caucasus.html",
        slug="south-caucasus-transit-corridors",
        title="The South Caucasus Transit Corridors and Regional Security",
        lead="New railways and roads are redrawing the map between the Caspian and the "
        "Black Sea. Iran wants to be on it.",
        date_line="5 November 2023",
        views=96,
        author_line="Reza Nasri and Maryam Hosseini, IPIS",
        signature="Reza Nasri, Maryam Hosseini",
        section="Caucasus",
        tags=["Caucasus", "transit", "regional security"],
        body=[
            ("p", "After the war of 2020, the South Caucasus has become a competition of "
             "corridors. Azerbaijan and Turkey promote a route across southern Armenia; "
             "Iran insists that its border with Armenia must stay open."),
            ("ul", [
                "The North–South corridor links Russia to Indian Ocean ports through Iran.",
                "The Middle Corridor links China to Europe across the Caspian.",
                "The Aras valley route would connect Nakhchivan to mainland Azerbaijan.",
            ]),
            ("p", "For Tehran, regional security and transit revenue are the same question. "
             "A corridor that bypasses Iran weakens both; one that crosses it strengthens "
             "economic cooperation with all three neighbours."),
            ("p", "The sensible course is to support several routes at once rather than to "
             "veto one. Iran's railways to the Armenian border are unfinished; completing "
             "them would say more than any statement."),
        ],
    ),
]

TEHRANDAILY = [
    dict(
        file="tehrandaily-2025-nuclear-talks.html",
        slug="tehran-and-europe-agree-to-resume-nuclear-talks-in-geneva",
        section="Politics",
        headline="Tehran and Europe agree to resume nuclear talks in Geneva",
        description="Deputy foreign ministers will meet later this month, the first formal "
        "round since November.",
        published="2025-02-03T10:15:00+03:30",
        modified="2025-02-04T08:02:11+03:30",
        visible_date="February 3, 2025 - 10:15",
        authors=["Sara Ahmadi", "John Carver"],
        body=[
            "TEHRAN – Iran and the three European parties to the 2015 agreement will resume "
            "nuclear talks in Geneva later this month, the Foreign Ministry spokesman said on "
            "Monday.",
            "The round will be the first formal meeting since November, when negotiators "
            "ended two days of discussions without a joint statement. Diplomats describe the "
            "new format as “technical first, political later”.",
            "“We are ready to discuss every question that is within the framework of our "
            "commitments,” the spokesman told reporters, adding that any agreement must "
            "include the lifting of sanctions on oil and banking.",
            "European officials have said that the window for diplomacy is closing. Under the "
            "2015 deal, the option to restore UN sanctions expires in October.",
            "Analysts in Tehran expect the nuclear talks to focus on inspections and on the "
            "stockpile of highly enriched uranium, while the question of economic "
            "cooperation with Europe is left to a later stage.",
        ],
        related=[
            ("Parliament debates budget for the new year", "February 2, 2025"),
            ("Oil exports reach a five-year high, ministry says", "January 28, 2025"),
            ("Isfahan water transfer project enters final phase", "December 30, 2024"),
        ],
    ),
    dict(
        file="tehrandaily-2024-economic-cooperation.html",
        slug="iran-russia-sign-economic-cooperation-roadmap",
        section="Economy",
        headline="Iran, Russia sign economic cooperation roadmap on energy and transit",
        description="The plan covers gas swaps, the Rasht–Astara railway and payments in "
        "national currencies.",
        published="2024-07-08T16:40:00+03:30",
        modified="2024-07-08T18:05:00+03:30",
        visible_date="July 8, 2024 - 16:40",
        authors=["Sara Ahmadi"],
        body=[
            "TEHRAN – Iran and Russia signed a five-year roadmap for economic cooperation on "
            "Monday, covering energy, transit and banking.",
            "Under the plan, Russian gas will be delivered to northern Iran through "
            "Azerbaijan in a swap arrangement, and Iran will supply equivalent volumes to "
            "customers in the Persian Gulf.",
            "The two sides also agreed a financing schedule for the Rasht–Astara railway, "
            "the missing link of the North–South transport corridor. Construction is expected "
            "to take four years.",
            "Trade between the two countries reached 4.9 billion dollars last year. Officials "
            "said payments are now made almost entirely in rubles and rials, outside the "
            "reach of Western sanctions.",
        ],
        related=[
            ("Central bank connects Mir and Shetab card networks", "June 30, 2024"),
            ("Caspian ports report record grain transit", "June 12, 2024"),
        ],
    ),
    dict(
        file="tehrandaily-2022-water-crisis.html",
        slug="isfahan-farmers-protest-zayandeh-rud-water-crisis",
        section="Society",
        headline="Isfahan farmers protest as Zayandeh Rud water crisis deepens",
        description="The river has been dry for most of the year; farmers demand their "
        "historic water rights.",
        published="2022-11-21T09:30:00+03:30",
        modified="2022-11-21T09:30:00+03:30",
        visible_date="November 21, 2022 - 09:30",
        authors=["Mina Karimi", "Reza Nasri"],
        body=[
            "ISFAHAN – Hundreds of farmers gathered in the dry bed of the Zayandeh Rud on "
            "Monday to demand a share of the river's water, as the region's water crisis "
            "enters its third consecutive year.",
            "The river, which once flowed through the city under the Safavid bridges, has "
            "carried water for only a few weeks this year. Upstream transfers to industry and "
            "to neighbouring provinces have left little for agriculture in the east.",
            "Officials say rainfall in the Zagros mountains is 40 percent below the long-term "
            "average. Experts add that the crisis is also one of management: new wells, "
            "subsidised electricity for pumps and water-hungry crops.",
            "The governor promised to release water for winter irrigation next month, but "
            "farmers said they had heard such promises before.",
        ],
        related=[
            ("Tehran dams at 30 percent of capacity", "November 14, 2022"),
            ("Lake Urmia recovery plan gets new budget", "October 2, 2022"),
        ],
    ),
    dict(
        file="tehrandaily-2019-sanctions.html",
        slug="new-us-sanctions-target-petrochemical-sector",
        section="Economy",
        headline="New US sanctions target Iran's petrochemical sector",
        description="The measures follow the end of waivers for buyers of Iranian oil.",
        published="2019-06-08T12:00:00+04:30",
        modified="2019-06-09T07:45:00+04:30",
        visible_date="June 8, 2019 - 12:00",
        authors=["John Carver"],
        body=[
            "TEHRAN – The United States on Friday imposed sanctions on Iran's largest "
            "petrochemical holding company, a month after ending waivers that allowed eight "
            "countries to buy Iranian oil.",
            "The Treasury said the company and its subsidiaries account for 40 percent of the "
            "country's petrochemical production and half of its petrochemical exports.",
            "Iranian officials called the measure economic terrorism and said exports would "
            "continue through other channels. The oil minister said buyers in Asia had asked "
            "for more cargoes, not fewer.",
            "Economists expect the rial to come under renewed pressure. Petrochemicals have "
            "become the second source of hard currency after oil since sanctions were "
            "reimposed last year.",
        ],
        related=[
            ("Rial falls to record low on open market", "May 13, 2019"),
            ("Japan's prime minister to visit Tehran", "June 5, 2019"),
        ],
    ),
]

PERSIAWIRE = [
    dict(
        file="persiawire-gulf-security.html",
        slug="gulf-states-iran-maritime-security-framework",
        title="Gulf states and Iran discuss maritime security framework",
        description="Officials from six countries met in Muscat to discuss shipping safety "
        "in the Strait of Hormuz.",
        published="2023-05-14T08:00:00Z",
        modified="2023-05-14T11:20:00Z",
        author="Sara Ahmadi",
        section="Middle East",
        tags=["regional security", "Persian Gulf", "Oman"],
        body=[
            "Officials from Iran, Oman, Qatar and three other Gulf states met in Muscat this "
            "week to discuss a framework for maritime security in the Strait of Hormuz, two "
            "months after Tehran and Riyadh agreed to restore diplomatic relations.",
            "The talks covered hotlines between navies, joint search-and-rescue exercises and "
            "rules for the inspection of tankers. No agreement was signed, but participants "
            "described the atmosphere as constructive.",
            "Regional security in the Gulf has long depended on outside powers. Several "
            "delegates said the meeting showed that states on both shores can manage their "
            "own waters, a claim Western navies regard with caution.",
            "A second round is planned in Doha in the autumn.",
        ],
        picks=[
            ("Saudi and Iranian embassies reopen", "May 2, 2023"),
            ("Oil tanker seized near Hormuz", "April 28, 2023"),
        ],
    ),
    dict(
        file="persiawire-helmand-water.html",
        slug="helmand-water-dispute-kabul-tehran",
        title="Helmand water dispute: Kabul and Tehran trade accusations",
        description="Border clashes follow a dry spring in Sistan and Baluchestan.",
        published="2023-05-30T17:45:00+04:30",
        modified="2023-05-31T09:00:00+04:30",
        author="Daniel Brooks",
        section="Asia",
        tags=["water crisis", "Afghanistan", "Helmand"],
        body=[
            "Iran and Afghanistan's Taliban government traded accusations on Tuesday over the "
            "waters of the Helmand river, days after a deadly exchange of fire at the border.",
            "Tehran says Kabul is withholding the 820 million cubic metres a year promised "
            "under a 1973 treaty. Afghan officials reply that there is simply not enough "
            "water after years of drought.",
            "The Hamoun wetlands on the Iranian side have largely dried up, and dust storms "
            "now close schools in Zabol for weeks at a time. The water crisis has pushed "
            "thousands of families to leave the province.",
            "Both governments have said they want to solve the dispute through diplomacy. "
            "A technical delegation is expected in Kabul next month.",
        ],
        picks=[
            ("Drought cuts wheat harvest in Khorasan", "May 21, 2023"),
        ],
    ),
    dict(
        file="persiawire-vienna-nuclear-talks.html",
        slug="vienna-nuclear-talks-pause",
        title="Vienna nuclear talks pause as delegations return to capitals",
        description="Negotiators say a deal is close but key political decisions remain.",
        published="2021-06-20T23:30:00-04:00",
        modified="2021-06-21T06:10:00-04:00",
        author="Daniel Brooks",
        section="World",
        tags=["nuclear talks", "JCPOA", "Vienna"],
        body=[
            "The nuclear talks in Vienna were paused on Sunday after a sixth round, with "
            "delegations returning to their capitals for consultations, the EU coordinator "
            "said.",
            "Negotiators said the text of a return to the 2015 agreement was largely written, "
            "but that political decisions remained on the sequence of steps and on guarantees "
            "that a future U.S. administration would not withdraw again.",
            "The pause comes two days after Iran's presidential election. Diplomats expect the "
            "new government to take office in August, and few expect a seventh round before "
            "then.",
            "Oil markets reacted calmly. Traders had already priced in a delay to the return "
            "of Iranian barrels.",
        ],
        picks=[
            ("IAEA monitoring deal extended by one month", "May 24, 2021"),
        ],
    ),
]

# Versions of one article (issue 12): each has a Persian version in content_fa.py.
# IPIS_EN_VERSIONS[0]: its Persian version links to it by hreflang (this page does not link
# back); its author signs in English with another given name. [1]: no hreflang link at all;
# found by site, author, dates and the figures both texts share.
IPIS_EN_VERSIONS = [
    dict(
        file="ipis-en-caspian-swaps.html",
        slug="caspian-energy-swaps-turkmen-gas",
        title="Caspian Energy Swaps: Turkmen Gas for Iran's Northern Provinces",
        lead="A swap deal signed in Ashgabat could ease winter shortages in the north, if "
        "the pipelines and the payments hold.",
        date_line="9 February 2025",
        views=412,
        author_line="Kay Soltani, Research Fellow, IPIS",
        signature="Kay Soltani",
        section="Energy",
        tags=["energy", "Caspian", "Turkmenistan"],
        body=[
            ("p", "Every winter the northern provinces of Iran run short of gas while the "
             "fields of the south are far away. The swap deal signed in Ashgabat offers a "
             "shorter route: Turkmen gas enters the northern network and Iran delivers the "
             "same volume to Iraq and Turkey from its own fields."),
            ("p", "The pipelines already exist, but they were built for another era. Their "
             "capacity, their maintenance and the price formula will decide whether the "
             "deal is a seasonal patch or a lasting part of regional energy trade."),
            ("p", "The harder question is payment. Banks in the region fear secondary "
             "sanctions, and a swap only works if every party trusts that the other side "
             "will settle its account."),
        ],
    ),
    dict(
        file="ipis-en-red-sea-shipping.html",
        slug="red-sea-shipping-iran-trade-routes",
        title="Red Sea Shipping Disruptions and Iran's Trade Routes",
        lead="As container lines avoid the Bab el-Mandeb, Iranian ports and the North-South "
        "corridor gain and lose at the same time.",
        date_line="17 February 2025",
        views=356,
        author_line="Maryam Hosseini, Senior Researcher, IPIS",
        signature="Maryam Hosseini",
        section="Persian Gulf",
        tags=["shipping", "Red Sea", "transit"],
        body=[
            ("p", "Since the attacks on merchant ships began, traffic through the Bab "
             "el-Mandeb has fallen by about 40 percent. Container lines now sail around the "
             "Cape of Good Hope, a detour of some 3,500 nautical miles that adds 12 days to "
             "a voyage between Asia and Europe."),
            ("p", "For Iranian ports the picture is mixed. Bandar Abbas handled 18 more "
             "calls by large container ships in the last quarter, while insurance premiums "
             "for the region rose to 0.7 percent of a vessel's value."),
            ("p", "The North-South corridor is the main beneficiary. Freight moved by rail "
             "from the Caspian to the Persian Gulf grew by 65 percent, and Russian and "
             "Indian shippers are testing it as a route that avoids the Red Sea entirely."),
            ("p", "Whether the gain lasts depends on the missing links of the corridor, above "
             "all the 162 kilometre railway between Rasht and Astara, and on how long the "
             "disruption in the Red Sea continues."),
        ],
    ),
]

ZIP_EN = dict(
    file="ipis/en/gcc-economic-cooperation.html",
    slug="economic-cooperation-gcc-after-beijing",
    title="Economic Cooperation with the GCC after the Beijing Agreement",
    lead="Two years after Tehran and Riyadh restored relations, trade has grown slowly. "
    "Where are the real opportunities?",
    date_line="15 February 2025",
    views=58,
    author_line="Reza Nasri, Research Fellow, IPIS",
    signature="Reza Nasri",
    section="Persian Gulf",
    tags=["economic cooperation", "GCC", "trade"],
    body=[
        ("p", "The agreement signed in Beijing in March 2023 restored diplomatic relations "
         "between Iran and Saudi Arabia. It did not, by itself, create trade. Economic "
         "cooperation between Iran and the six members of the Gulf Cooperation Council "
         "remains dominated by the United Arab Emirates."),
        ("ul", [
            "Non-oil trade with the UAE exceeds that with all other GCC states combined.",
            "Qatar and Oman are the most active partners in energy and transit.",
            "Saudi investment in Iran is still limited by sanctions risk.",
        ]),
        ("p", "Tourism, pilgrimage and food trade are the fastest areas to grow, because "
         "they depend least on banking. Larger projects in gas and electricity will wait for "
         "the outcome of the nuclear talks."),
    ],
)
