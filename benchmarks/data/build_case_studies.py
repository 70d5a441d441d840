"""Write ``case_studies_exchanges.csv`` from the rows below (run once; the CSV is the fixture).

Every row was read from the public source named in its ``src`` key, through the stored copies of
public web pages available to the compiling session (2026-11-28); ``locator`` says where in the
source.  NACE classes are assigned by the compiler from the business the source describes (no
source gives NACE codes); EWC codes only where the material maps to one entry without doubt.
"""

from __future__ import annotations

import csv
from pathlib import Path

SOURCES = {
    "sot_centrum": ("Sotenäs kommun, Sotenäs Symbioscentrum (n.d.). Industriell symbios i Sotenäs: "
                    "Symbioser och företag i Sotenäs symbiosnätverk",
                    "http://www.symbioscentrum.se/symbiosutveckling/industriellsymbios.4.2328e976160ddeefff24828d.html"),
    "sot_platform": ("Svensk Plattform för Industriell och Urban Symbios (n.d.). Industriell och social "
                     "symbios i Sotenäs", "https://industrialsymbiosis.se/sotenas-sv.html"),
    "sot_energigas": ("Energigas Sverige, Tidningen Energigas (n.d.). Tuff kamp för renare hav - nu blir "
                      "fiskavfall biogas",
                      "https://www.energigas.se/publikationer/tidningen-energigas/tuff-kamp-for-renare-hav-nu-blir-fiskavfall-biogas/"),
    "sot_bottna": ("Bottnabulletinen #24 (2023-02-02). Sotenäs Symbioscentrum",
                   "https://bottnafjorden.se/bottnabulletinen/2023/02/02/sotenas-symbioscentrum/"),
    "sot_vast": ("Tidningen Västsverige (2021-02-04). Bara laxodlingen som saknas",
                 "https://www.tidningenvastsverige.se/artikel/bara-laxodlingen-som-saknas/"),
    "kal_members": ("Kalundborg Symbiosis (2020, page dated 2022-01-20). To nye medlemmer i Kalundborg "
                    "Symbiose", "http://www.symbiosis.dk/2022/01/20/to-nye-medlemmer-i-kalundborg-symbiose/"),
    "kal_green": ("Kalundborg Symbiosis (2022). Green energy",
                  "http://www.symbiosis.dk/en/2022/01/11/gron-energi/"),
    "kal_visit": ("VisitDenmark / VisitVestsjælland (n.d.). Kalundborg Symbiosis",
                  "http://www.visitdenmark.com/denmark/kalundborg-symbiosis-gdk618031"),
    "han_cleantech": ("Cleantech Östergötland (n.d.). Händelö: the energy combine",
                      "http://cleantechostergotland.se/handelokombinatet/?lang=en"),
    "han_sbhub": ("sbhub.se (n.d.). Händelö Eco-Industrial Park - a world-leading symbiosis between "
                  "industry and city",
                  "https://www.sbhub.se/post/h%C3%A4ndel%C3%B6-eco-industrial-park-a-world-leading-symbiosis-between-industry-and-city"),
    "dk_firsteco": ("FirstEco (2018-08). L'usine Ecocem de Dunkerque a été inaugurée",
                    "https://www.firsteco.fr/articles/353882/Developpement-immateriel/L-usine-Ecocem-de-Dunkerque-a-ete-inauguree--elle-pourra-produire-1.400.000t-a-terme-et-generera-de-l-emploi-direct-et-indirect"),
    "dk_flandres": ("Dunkerque l'énergie créative (n.d.). ArcelorMittal, Ecocem et Flandres Béton "
                    "collaborent", "https://dunkerquelenergiecreative.fr/?p=14155"),
    "dk_coproduits": ("Dunkerque l'énergie créative (n.d.). ArcelorMittal valorise toujours plus de "
                      "coproduits",
                      "https://dunkerquelenergiecreative.fr/actualites/arcelormittal-valorise-toujours-plus-de-coproduits/"),
    "dk_polenergie": ("Pôlénergie (2020-01-20). ArcelorMittal : l'économie circulaire en actes",
                      "https://polenergie.org/nos-actualites/arcelormittal-leconomie-circulaire-en-actes/"),
    "dk_afp": ("AFP, via Connaissance des Énergies (2019-01-22). À Grande-Synthe, un futur réseau de "
               "chaleur alimenté par des installations d'ArcelorMittal",
               "https://www.connaissancedesenergies.org/afp/un-reseau-de-chaleur-pour-grande-synthe-alimente-par-arcelormittal-190122"),
    "rot_ocap": ("OCAP (n.d.). Factsheet: CO2 voor de tuinbouw",
                 "https://paperzz.com/doc/6863055/factsheet"),
    "rot_guardian": ("Randerson, J. (2006-08-12). Oil refinery gives greenhouses a boost with CO2 "
                     "pipeline. The Guardian",
                     "https://www.theguardian.com/science/2006/aug/12/oilandpetrol.food"),
    "uls_asiae": ("Asia Economy (2013-11-11). 산단공, 울산 스팀하이웨이 준공식 개최 (Ulsan Steam Highway "
                  "completion ceremony)", "https://cm.asiae.co.kr/ampview.htm?no=2013111116094442695"),
    "uls_sbs": ("UBC via SBS News (2011-10-11). [울산] 미포공단 '스팀 하이웨이' 구축 추진 (Mipo complex "
                "Steam Highway)", "https://news.sbs.co.kr/news/endPagePrintPopup.do?news_id=N1001004218"),
    "uls_hani": ("Hankyoreh (n.d.). SK에너지, 애경유화 폐열 활용 (SK Energy to use Aekyung Petrochemical "
                 "waste heat)", "http://211.233.22.161/arti/economy/economy_general/338433.html"),
    "lah_env": ("Kestävyysloikka, Finnish Ministry of the Environment (n.d.). Business example: Tarpaper "
                "Recycling utilises old roofing felt in asphalt production",
                "https://kestavyysloikka.ymparisto.fi/en/business-example-tarpaper-recycling-utilises-old-roofing-felt-in-asphalt-production/"),
    "lah_city": ("City of Lahti (2016-02-09). Lahti kiertotalouden veturina",
                 "https://www.lahti.fi/ajankohtaista/uutiset/lahti-kiertotalouden-veturina"),
    "lah_ess": ("Etelä-Suomen Sanomat (n.d.). Lahtelaiset yritykset yrittävät saada jätteet entistä "
                "paremmin hyötykäyttöön", "https://www.ess.fi/paikalliset/3120300"),
    "lah_smart": ("Smart Lahti (n.d.). The Story of Lahti",
                  "https://www.smartlahti.fi/themes/circular-econ/story-of-lahti-circ/"),
    "jp_kk": ("Global Environment Centre Foundation, NETT21 (2011-11). Waste Recycling Technologies and "
              "Recycling Promotion Initiatives in Eco-towns in Japan: Kitakyushu City",
              "http://nett21.gec.jp/Ecotowns/data/et_b-kitakyushu.html"),
    "jp_kaden": ("Global Environment Centre Foundation, NETT21 (2011-09). Recycling of Used Home "
                 "Appliances, Nishinihon Kaden Recycle Corporation",
                 "http://nett21.gec.jp/Ecotowns/data/et_a-09.html"),
    "jp_chiba": ("Global Environment Centre Foundation, NETT21 (2011-09). Bio Gasification of Food Waste "
                 "and Organic Waste, Japan Recycling Corporation",
                 "http://nett21.gec.jp/Ecotowns/data/et_a-07.html"),
    "teda": ("Lu Chang, China Daily (2013-01-15). Tianjin Special: TEDA: Going 'green' for sustainable "
             "prosperity", "http://www.chinadaily.com.cn/cndy/2013-01/15/content_16117294.htm"),
    "uk_marmite": ("Cambridge Judge Business School (2016). Why there could be cash in your trash",
                   "https://jbs.cam.ac.uk/2016/why-there-could-be-cash-in-your-trash"),
    "uk_barber": ("INTERREG IVC good-practice database (n.d.). National Industrial Symbiosis Programme "
                  "(NISP)",
                  "http://www.interreg4c.eu/good-practices/practice-details/index-practice=374-national-industrial-symbiosis-programme-nisp&.html"),
    "uk_sekisui": ("Turney, J., Green Futures, via TriplePundit (2012). Industrial Symbiosis Promotes "
                   "Company Cooperation and Resource Reuse",
                   "https://www.triplepundit.com/story/2012/industrial-symbiosis-promotes-company-cooperation-and-resource-reuse/61551"),
    "fi_metsa": ("Metsä Fibre (2018-12). Metsä Fibre acquires biogas plant in Äänekoski",
                 "https://www.metsafibre.com/en/media/Stories/Pages/Metsa-Fibre-acquires-biogas-plant-in-Aanekoski.aspx"),
    "no_hnn": ("High North News (debate contribution, n.d., c. 2023). Med dype røtter står industrien støtt!",
               "https://www.highnorthnews.com/nb/med-dype-rotter-star-industrien-stott"),
    "no_mofjv": ("Mo Fjernvarme AS (n.d.). Produksjonsanlegg",
                 "https://mofjernvarme.no/?page_id=54"),
    "no_smolt": ("Overskuddsenergi.no (n.d.). Yngler med overskuddsenergi",
                 "https://overskuddsenergi.no/innovasjon/yngler-med-overskuddsenergi/"),
    "no_heroya": ("Herøya Industripark AS (2017). New district heating network at Herøya Industrial Park to "
                  "provide environmentally-friendly heating of buildings",
                  "https://eng.heroya-industripark.no/latest-news/New-district-heating-network-at-Heroeya-Industrial-Park-to-provide-environmentally-friendly-heating-of-buildings"),
    "jp_chiba_pref": ("Global Environment Centre Foundation, NETT21 (2011-11). Waste Recycling Technologies and "
                      "Recycling Promotion Initiatives in Eco-towns in Japan: Chiba Prefectural Government",
                      "http://nett21.gec.jp/Ecotowns/data/et_b-chiba.html"),
    "jp_aichi": ("Global Environment Centre Foundation, NETT21 (2011-11). Waste Recycling Technologies and "
                 "Recycling Promotion Initiatives in Eco-towns in Japan: Aichi Prefectural Government",
                 "http://nett21.gec.jp/Ecotowns/data/et_b-aichi.html"),
    "jp_akita": ("Global Environment Centre Foundation, NETT21 (2011-11). Waste Recycling Technologies and "
                 "Recycling Promotion Initiatives in Eco-towns in Japan: Akita Prefectural Government",
                 "http://nett21.gec.jp/Ecotowns/data/et_b-akita.html"),
    "uk_epos": ("Cefic, Chemistry Can (n.d.). Exploring potential for by-products exchange (EPOS project)",
                "https://chemistrycan.com/case-study/exploring-potential-for-by-products-exchange/"),
}

# park_id: (park, country, MAESTRI case of the same park or "")
PARKS = {
    "CS-SOTENAS": ("Sotenäs Symbioscentrum, Kungshamn", "Sweden", ""),
    "CS-KALUNDBORG": ("Kalundborg Symbiosis (exchanges after 2007)", "Denmark", "4"),
    "CS-HANDELO": ("Händelö Eco-Industrial Park, Norrköping", "Sweden", "27"),
    "CS-DUNKERQUE": ("Dunkirk industrial port area", "France", ""),
    "CS-ROTTERDAM": ("Port of Rotterdam / OCAP CO2 network", "Netherlands", ""),
    "CS-ULSAN": ("Ulsan industrial complexes (Mipo, Onsan)", "South Korea", "8"),
    "CS-LAHTI": ("Kujala Waste Centre, Lahti", "Finland", ""),
    "CS-KITAKYUSHU": ("Kitakyushu Eco-Town", "Japan", ""),
    "CS-CHIBA": ("Chiba Eco-Town (incl. Soga Ecology Industrial & Research Park)", "Japan", ""),
    "CS-AICHI": ("Aichi Eco-Town", "Japan", ""),
    "CS-AKITA": ("Akita Eco-Town (northern Akita Prefecture)", "Japan", ""),
    "CS-AANEKOSKI": ("Äänekoski bioproduct mill ecosystem", "Finland", ""),
    "CS-MO-I-RANA": ("Mo Industripark, Mo i Rana", "Norway", ""),
    "CS-HEROYA": ("Herøya Industripark, Porsgrunn", "Norway", ""),
    "CS-TEDA": ("Tianjin Economic-Technological Development Area (TEDA)", "China", ""),
    "CS-BURTON": ("Burton-on-Trent brewing cluster", "UK", ""),
    "CS-NISP-SW": ("NISP South West England (case study)", "UK", ""),
    "CS-NISP-WALES": ("NISP Wales (case study)", "UK", ""),
    "CS-HULL": ("Hull, Humber (EPOS cluster)", "UK", "5"),
}

SEAFOOD = [("Orkla Foods Sverige AB (Kungshamn)", "Seafood processing (fish balls, caviar spread, herring)"),
           ("Leröy Smögen Seafood AB", "Seafood processing (shellfish and fish)"),
           ("Marenor AB", "Seafood processing (shellfish and fish)")]
RENAHAV = ("Renahav Sverige AB", "Biogas plant and wastewater treatment for the seafood industry", "3821")

# (park, donor, donor_business, donor_nace, receiver, receiver_business, receiver_nace,
#  waste_description, ewc, status, src, locator, notes)
ROWS: list[tuple[str, ...]] = []
for name, biz in SEAFOOD:
    ROWS.append(("CS-SOTENAS", name, biz, "1020", *RENAHAV,
                 "Organic waste from seafood processing (fish trimmings and sludge)", "020202",
                 "Implemented", "sot_centrum",
                 "section 'Symbios kring sjömatsavfall, biogas, processvatten och KRAV-certifierad gödning', paragraphs 1-2",
                 "Substrate confirmed as fish waste from Orkla, Lerøy and Marenor in sot_energigas, "
                 "section 'Sill och fiskbullar'"))
for name, biz in SEAFOOD:
    ROWS.append(("CS-SOTENAS", name, biz, "1020", *RENAHAV,
                 "Process water with organic residues from seafood processing", "",
                 "Implemented", "sot_centrum",
                 "same section, paragraph 3 ('renas dessutom sjömatsindustrins processvatten genom Renahavs vattenreningsanläggning')",
                 "Also sot_bottna (Renahav digests process water with organic residues from Orkla, Lerøy and Marenor)"))
for name, biz in SEAFOOD:
    ROWS.append(("CS-SOTENAS", RENAHAV[0], RENAHAV[1], RENAHAV[2], name, biz, "1020",
                 "Biogas from digestion of seafood waste, replacing fossil fuel at the seafood plants", "",
                 "Implemented", "sot_platform", "section 'Höjdpunkter', first paragraph",
                 "sot_centrum: the biogas 'goes back as a resource in various forms of energy to the cluster'"))
ROWS.append(("CS-SOTENAS", *RENAHAV, "Klevs Gård Bovallstrand AB", "Farm converted to organic production",
             "0150", "Digestate from biogas production, used as KRAV-certified biofertiliser", "190606",
             "Implemented", "sot_centrum", "seafood-waste section, paragraph 3",
             "NACE 01.50 (mixed farming) chosen by the compiler: the source says only 'lantbruket'"))
ROWS.append(("CS-SOTENAS", "Smögen Ale AB", "Microbrewery", "1105", *RENAHAV,
             "Brewer's spent grain (draff) not used by other actors", "", "Implemented", "sot_centrum",
             "seafood-waste section, paragraph 4", ""))
ROWS.append(("CS-SOTENAS", "Smögenlax AB", "Land-based recirculating salmon farm (planned)", "0321",
             "Swedish Algae Factory AB", "Diatom algae cultivation for material production", "0321",
             "Nutrient-rich process water from land-based fish farming", "", "Planned", "sot_platform",
             "section 'Höjdpunkter' ('Processvattnet från en landbaserad fiskodling ger näring åt en kiselalgodling')",
             "Status planned: the salmon farm had no environmental permit in 2021 (sot_vast)"))
ROWS.append(("CS-SOTENAS", "Swedish Algae Factory AB", "Diatom algae cultivation for material production",
             "0321", *RENAHAV, "Process water after diatom cultivation", "", "Planned", "sot_platform",
             "section 'Höjdpunkter' ('innan vattnet skickas till biogasanläggningen')",
             "Part of the planned fish-farm loop (see previous row)"))
for name, biz in SEAFOOD:
    ROWS.append(("CS-SOTENAS", name, biz, "1020", "Smögenlax AB",
                 "Land-based recirculating salmon farm (planned)", "0321",
                 "Fish trimmings as partial feed for farmed salmon", "", "Planned", "sot_bottna",
                 "paragraph on Smögenlax ('där laxarna delvis kan leva på fiskrens från de tre andra fabrikerna')",
                 ""))

KBIO = ("Kalundborg Bioenergi (Bigadan; built with Ørsted)", "Biogas plant upgrading biogas to natural-gas quality", "3521")
ROWS += [
    ("CS-KALUNDBORG", "Novozymes A/S (Kalundborg)", "Industrial enzyme production by fermentation", "2059",
     *KBIO, "Residual biomass from enzyme fermentation (NovoGro)", "", "Implemented", "kal_members",
     "section 'De nye partnere', paragraph on Kalundborg Bioenergi",
     "Plant commissioned spring 2018 (kal_green, section 'Biogas'). MAESTRI case 4 (Chertow 2007) has "
     "Novo residues to farms and yeast slurry, not this plant"),
    ("CS-KALUNDBORG", "Novo Nordisk A/S (Kalundborg)", "Insulin production (pharmaceuticals)", "2110",
     *KBIO, "Residual yeast cream (gærfløde) from insulin fermentation", "", "Implemented", "kal_members",
     "section 'De nye partnere', paragraph on Kalundborg Bioenergi", ""),
    ("CS-KALUNDBORG", *KBIO, "Gyproc Saint-Gobain (Kalundborg)", "Wall-board plant", "2362",
     "Upgraded biogas (bio-natural gas)", "", "Implemented", "kal_members",
     "section 'De nye partnere' ('Naturgassen sendes til lokale virksomheder som Gyproc Saint-Gobain og Equinor')",
     "Receiver business text as in MAESTRI case 4"),
    ("CS-KALUNDBORG", *KBIO, "Equinor refinery (Kalundborg)", "Refinery", "1920",
     "Upgraded biogas (bio-natural gas)", "", "Implemented", "kal_members",
     "section 'De nye partnere' (same sentence)", "Receiver business text as in MAESTRI case 4"),
    ("CS-KALUNDBORG", *KBIO, "ND (local farmers)", "Local farms", "0150",
     "Degassed biomass (digestate) used as fertiliser on fields", "190606", "Implemented", "kal_green",
     "section 'Biogas' ('After degassing, the biomass is used as fertilizer on fields')",
     "Receiver business text as in MAESTRI case 4"),
    ("CS-KALUNDBORG", *KBIO, "ND (fertiliser production)", "Fertiliser production", "2015",
     "Hydrogen sulphide fraction removed when upgrading biogas", "", "Implemented", "kal_members",
     "section 'De nye partnere' ('Svovlbrintefraktionen opsamles og bruges i produktion af gødning')", ""),
    ("CS-KALUNDBORG", "Kalundborg municipal wastewater treatment plant", "Municipal wastewater treatment",
     "3700", "Soilrem", "Soil remediation", "3900", "Sewage sludge", "190805", "Implemented", "kal_visit",
     "paragraph 'Sludge from Kalundborg Municipality's waste water treatment plant speeds up production at Soilrem'",
     ""),
]

ROWS += [
    ("CS-HANDELO", "Norrköping municipality (household waste collection)", "Municipal household waste collection",
     "3811", "E.ON combined heat and power plant, Händelö", "CHP plant fired with waste and biofuels", "3530",
     "Household waste", "200301", "Implemented", "han_cleantech", "paragraph 2 ('The household waste from Norrköping is delivered to E.ON's heat and power plant')",
     "MAESTRI case 27 (Norrköping) has wood chips, heat, stillage and digestate flows, not this one"),
    ("CS-HANDELO", "Lantmännen Agroetanol", "Grain ethanol biorefinery", "2014",
     "Norlic (Linde and Lantmännen Agroetanol joint venture)", "Purification of CO2 into carbonic acid for the food industry",
     "2011", "Biogenic CO2 from ethanol fermentation", "", "Implemented", "han_sbhub",
     "section 'Many circular streams' ('The carbon dioxide formed during production is sent to Norlic')",
     "industrialsymbiosis.se Norrköping case names Linde Gas as the partner"),
    ("CS-HANDELO", "ND (food industry)", "Bakery and dough production", "1071", "Lantmännen Agroetanol",
     "Grain ethanol biorefinery", "2014", "Expired bread and dough residues", "020601", "Implemented",
     "han_sbhub", "section 'Many circular streams' ('also of expired bread and dough residues from the food industry')",
     ""),
]

AM = ("ArcelorMittal Dunkerque", "Integrated steelworks (coke oven, sinter, blast furnaces)", "2410")
ROWS += [
    ("CS-DUNKERQUE", *AM, "Ecocem France (Dunkirk plant)", "Ground granulated blast-furnace slag (cement substitute) production",
     "2351", "Granulated blast-furnace slag", "100202", "Implemented", "dk_firsteco",
     "whole brief (plant inaugurated 14 June 2018, makes ground slag from ArcelorMittal's granulated blast-furnace slag)", ""),
    ("CS-DUNKERQUE", "Ecocem France (Dunkirk plant)", "Ground granulated blast-furnace slag (cement substitute) production",
     "2351", "Flandres Béton (Groupe De Brabandere)", "Ready-mixed concrete", "2363",
     "Hydraulic binder made from blast-furnace slag (replaces clinker cement)", "", "Implemented", "dk_flandres",
     "section 'En chiffres' (50 % Ecocem binder, 175 kg per m3)", "The concrete was poured on the ArcelorMittal site"),
    ("CS-DUNKERQUE", *AM, "Dunkirk urban heating network (Dalkia)", "District heating network", "3530",
     "Waste heat recovered from the sinter plants' coolers", "", "Implemented", "dk_polenergie",
     "paragraph 4 ('depuis 1985 récupère la chaleur fatale des agglos 2 et 3 ... réseau de chaleur de la ville de Dunkerque exploité par Dalkia')",
     ""),
    ("CS-DUNKERQUE", *AM, "Grande-Synthe heating network (ENGIE Cofely)", "District heating network", "3530",
     "Steelworks gases burned in boilers for district heat", "", "Planned", "dk_afp",
     "paragraphs 1-3 (network to start in October 2020, fed by steelworks gases)",
     "Status planned: both sources predate the announced start (dk_polenergie, paragraph 4, says 'à partir de 2020')"),
    ("CS-DUNKERQUE", *AM, "DK6 combined-cycle power plant", "Electricity generation (combined cycle)", "3511",
     "Steelworks gases", "", "Implemented", "dk_coproduits",
     "paragraph 1 ('ses gaz sidérurgiques valorisés ... par la centrale à cycle combiné gaz DK6')", ""),
    ("CS-DUNKERQUE", *AM, "ND (electrode manufacturers)", "Carbon electrode manufacture", "2790",
     "Tar", "", "Implemented", "dk_coproduits", "paragraph 1 ('du goudron, valorisé dans la fabrication d'électrodes')",
     ""),
    ("CS-DUNKERQUE", *AM, "ND (public works and building)", "Public works and road construction", "4211",
     "Steelmaking slags", "", "Implemented", "dk_coproduits",
     "paragraph 1 ('de ses laitiers qui trouvent des applications dans les travaux publics et le bâtiment')", ""),
]

GH = ("ND (greenhouse growers, Westland, via OCAP pipeline)", "Greenhouse horticulture (vegetables and flowers)", "0113")
ROWS += [
    ("CS-ROTTERDAM", "Shell refinery (Pernis, Botlek area)", "Oil refinery", "1920", *GH,
     "CO2 released in hydrogen production at the refinery", "", "Implemented", "rot_ocap",
     "section 'Introduction' and 'Two unique sources of CO2: Shell & Abengoa'",
     "rot_guardian: CO2 from Shell's Pernis refinery distributed to 400 greenhouses since 2005"),
    ("CS-ROTTERDAM", "Abengoa bio-ethanol plant, Europoort", "Bioethanol production", "2014", *GH,
     "CO2 from bio-ethanol fermentation", "", "Implemented", "rot_ocap", "section 'Introduction'", ""),
]

ROWS += [
    ("CS-ULSAN", "SK Chemical Corp.", "Petrochemical", "1920", "SK Energy (formerly SK Corp.)", "Oil treatment",
     "1920", "Surplus steam", "", "Implemented", "uls_asiae",
     "paragraph 1 (6.2 km steam pipeline; up to 100 t/h of SK Chemicals' surplus steam to SK Energy)",
     "Business texts as in MAESTRI case 8; uls_sbs (2011) announced the project"),
    ("CS-ULSAN", "Aekyung Petrochemical", "Plasticiser production", "2016", "SK Energy (formerly SK Corp.)",
     "Oil treatment", "1920", "Waste heat from plasticiser production", "", "Planned", "uls_hani",
     "whole brief ('폐열을 활용해 생산라인을 가동하는 에너지절감 협력사업을 추진한다')",
     "Status planned: the source reports the project as being pursued"),
]

ROWS += [
    ("CS-LAHTI", "ND (demolition companies and roofing contractors)", "Demolition and roofing works", "4311",
     "Tarpaper Recycling Finland Oy", "Processing of bitumen roofing felt waste into asphalt raw material", "3832",
     "Used bitumen roofing felt from demolition and renovation", "", "Implemented", "lah_env",
     "section 'Recycling used roofing felt saves energy and resources', paragraph 1",
     "Plant at the Kujala Waste Centre (lah_city, section 'Uudet yritykset tuovat elinvoimaa alueelle')"),
    ("CS-LAHTI", "ND (roofing felt manufacturers)", "Manufacture of bitumen roofing felt", "2399",
     "Tarpaper Recycling Finland Oy", "Processing of bitumen roofing felt waste into asphalt raw material", "3832",
     "Surplus and waste material from roofing felt manufacture", "", "Implemented", "lah_city",
     "section 'Uudet yritykset tuovat elinvoimaa alueelle' ('kattohuopatehtaiden ylijäämämateriaalien')", ""),
    ("CS-LAHTI", "Tarpaper Recycling Finland Oy", "Processing of bitumen roofing felt waste into asphalt raw material",
     "3832", "ND (asphalt producers)", "Asphalt production", "2399",
     "Crushed roofing felt (BitumenMix) replacing about a third of virgin bitumen", "", "Implemented", "lah_env",
     "section 'Recycling used roofing felt saves energy and resources', paragraph 2", ""),
    ("CS-LAHTI", "ND (wastewater treatment plant, Lahti)", "Municipal wastewater treatment", "3700",
     "LABIO Oy (formerly Lahden Komposti)", "Biogas and composting plant", "3821", "Sewage sludge", "190805",
     "Implemented", "lah_ess", "whole brief ('jalostaa jätevedenpuhdistamon lietteestä ... biokaasua ja kompostia')", ""),
    ("CS-LAHTI", "Päijät-Häme Waste Management Ltd (PHJ)", "Municipal waste collection", "3811",
     "LABIO Oy (formerly Lahden Komposti)", "Biogas and composting plant", "3821",
     "Separately collected biowaste", "200108", "Implemented", "lah_ess",
     "whole brief ('erikseen kerätystä biojätteestä')",
     "The source does not name the collector; PHJ is the municipal collector per lah_smart"),
    ("CS-LAHTI", "Päijät-Häme Waste Management Ltd (PHJ)", "Municipal waste collection", "3811",
     "Lahti Energia (Kymijärvi power plant)", "Electricity and heat from waste-derived fuel", "3530",
     "Source-separated energy waste", "", "Implemented", "lah_smart",
     "section 'Waste is energy' ('Source-separated waste is collected locally by ... PHJ and delivered to Lahti Energy')",
     ""),
]

MED = ("ND (medical waste recycler, Kitakyushu Environmental Industrial Complex)",
       "Sterilisation and recycling of medical waste", "3822")
KADEN = ("Nishinihon Kaden Recycle Corporation", "Recycling of used home appliances", "3831")
ROWS += [
    ("CS-KITAKYUSHU", *MED, "ND (cement plants)", "Cement production", "2351",
     "Refuse-derived fuel made from fibres recovered from sterilised medical waste", "", "Implemented", "jp_kk",
     "list 'Waste recycling facilities', Kitakyushu Environmental Industrial Complex, item 6", ""),
    ("CS-KITAKYUSHU", *MED, "ND (cement plants)", "Cement production", "2351",
     "Glass and metal recovered from medical waste, as cement raw materials", "", "Implemented", "jp_kk",
     "same item", ""),
    ("CS-KITAKYUSHU", *MED, "ND (plastic product manufacturers)", "Manufacture of plastic products", "2229",
     "Plastics recovered from medical waste", "", "Implemented", "jp_kk", "same item", ""),
    ("CS-KITAKYUSHU", *KADEN, "ND (CRT glass manufacturer)", "Manufacture of CRT glass", "2319",
     "Glass cullet from dismantled TV sets", "", "Implemented", "jp_kaden",
     "table 'Recycled products/recovered materials', row 'Glass cullet'", ""),
    ("CS-KITAKYUSHU", *KADEN, "ND (plastic product manufacturers)", "Manufacture of plastic products", "2229",
     "Plastic materials from dismantled home appliances", "", "Implemented", "jp_kaden",
     "same table, row 'Plastic materials'", ""),
    ("CS-KITAKYUSHU", *KADEN, "ND (blast-furnace steelworks)", "Steelworks", "2410",
     "Condensed urethane foam from refrigerators, as blast-furnace fuel", "", "Implemented", "jp_kaden",
     "same table, row 'Condensed urethane'", "The source also lists road pavement material as a use"),
    ("CS-KITAKYUSHU", *KADEN, "ND (steel producers)", "Steelworks", "2410",
     "Ferrous materials and deflection yokes from dismantled appliances", "", "Implemented", "jp_kaden",
     "same table, rows 'Ferrous materials' and 'Deflection yokes'", ""),
    ("CS-KITAKYUSHU", *KADEN, "ND (copper producers)", "Copper production", "2444",
     "Non-ferrous metals and heat exchangers from dismantled appliances (copper)", "", "Implemented", "jp_kaden",
     "same table, rows 'Nonferrous materials' and 'Heat exchangers'", ""),
    ("CS-KITAKYUSHU", *KADEN, "ND (aluminium producers)", "Aluminium production", "2442",
     "Non-ferrous metals and heat exchangers from dismantled appliances (aluminium)", "", "Implemented", "jp_kaden",
     "same table, rows 'Nonferrous materials' and 'Heat exchangers'", ""),
    ("CS-KITAKYUSHU", *KADEN, "ND (precious metal refiners)", "Precious metals production", "2441",
     "Printed circuit boards (gold, silver, copper)", "", "Implemented", "jp_kaden",
     "same table, row 'Printed circuit boards'", "The source also lists blast-furnace fuel as a use"),
    ("CS-KITAKYUSHU", *KADEN, "ND (stainless steel producers)", "Stainless steel production", "2410",
     "Electron beam guns and shadow masks from CRTs", "", "Implemented", "jp_kaden",
     "same table, rows 'Electronic beam guns' and 'Shadow masks'", ""),
]

JRC = ("Japan Recycling Corporation", "Biogasification of food waste", "3821")
ROWS += [
    ("CS-CHIBA", "ND (food manufacturing industries)", "Food manufacturing", "1089", *JRC,
     "Organic waste from food manufacturing (food processing waste, sludge, waste oil)", "", "Implemented",
     "jp_chiba", "field 'Receiving waste materials for recycling', item 1", ""),
    ("CS-CHIBA", "ND (large food retailers)", "Food retail", "4711", *JRC,
     "Food waste and unsold food", "", "Implemented", "jp_chiba",
     "field 'Receiving waste materials for recycling', item 3", ""),
    ("CS-CHIBA", "City of Chiba (separate household collection)", "Municipal waste collection", "3811", *JRC,
     "Separately collected household food waste", "200108", "Implemented", "jp_chiba",
     "field 'Receiving waste materials for recycling', item 2 (a pilot project by the City of Chiba)", ""),
]

ROWS += [
    ("CS-TEDA", "Toyota automobile plant (TEDA)", "Motor vehicle manufacture", "2910",
     "ND (steel recycling company in TEDA)", "Recycling waste steel into ingots for mould making", "2410",
     "Waste steel from automobile production", "", "Implemented", "teda",
     "section 'Recycling system', quoted company representative", "The source truncates the company's name"),
    ("CS-BURTON", "Bass brewery, Burton-on-Trent", "Brewery", "1105", "Marmite factory (the first, founded 1902)",
     "Yeast extract production", "1089", "Spent brewer's yeast", "", "Implemented", "uk_marmite",
     "paragraph 1 (first factory founded 1902 near its main source of ingredients)", ""),
    ("CS-NISP-SW", "AJ & RG Barber", "Farmhouse cheddar production", "1051", "Mendip Woodshavings",
     "Wood shavings processing", "1610", "Wooden cheese-ageing boxes", "", "Implemented", "uk_barber",
     "'Good Practice Information', example of AJ & RG Barber", ""),
    ("CS-NISP-WALES", "Sekisui Alveo (South Wales plant)", "Plastic foam for car panels", "2221",
     "ND (company in the area making building material)", "Manufacture of building material from reprocessed foam",
     "2223", "Plastic foam offcuts", "", "Implemented", "uk_sekisui", "paragraph 1", ""),
    ("CS-HULL", "INEOS (Hull)", "Petrochemicals", "2014", "CEMEX (Hull area)", "Cement manufacturing", "2351",
     "Liquid waste", "", "Planned", "uk_epos", "paragraph 2 ('CEMEX ... could use liquid waste from INEOS')",
     "Potential synergy identified by the EPOS project"),
    ("CS-HULL", "OMYA", "Industrial minerals (chalk) production", "0812", "CEMEX (Hull area)", "Cement manufacturing",
     "2351", "Chalk reject material", "", "Planned", "uk_epos", "paragraph 2 ('take chalk reject material from OMYA')",
     "Potential synergy identified by the EPOS project"),
    ("CS-HULL", "CEMEX (Hull area)", "Cement manufacturing", "2351", "OMYA", "Industrial minerals (chalk) production",
     "0812", "Cement kiln dust", "", "Planned", "uk_epos",
     "paragraph 2 ('return its cement kiln dust to OMYA's quarry')", "Potential synergy identified by the EPOS project"),
]

ECOCEM = ("ND (recycled cement plant, Chiba eco-town)", "Recycled cement production", "2351")
MELT = ("ND (direct-melting plant for municipal solid waste, Chiba eco-town)",
        "Gasification and direct melting of municipal solid waste", "3821")
ROWS += [
    ("CS-CHIBA", "ND (municipal waste incinerators)", "Municipal waste incineration", "3821", *ECOCEM,
     "Municipal solid waste incinerator ash", "", "Implemented", "jp_chiba_pref",
     "list 'Waste recycling facilities', item 'Production of recycled cement from waste incinerator ash, etc.'", ""),
    ("CS-CHIBA", "ND (water and wastewater treatment plants)", "Water and wastewater treatment", "3700", *ECOCEM,
     "Sludge from water and wastewater treatment", "", "Implemented", "jp_chiba_pref", "same item", ""),
    ("CS-CHIBA", *MELT, "ND (concrete producers)", "Concrete production", "2363",
     "Slag from direct melting of municipal solid waste, as concrete aggregate", "", "Implemented",
     "jp_chiba_pref", "item 'Slag and metal recovery through direct melting of municipal solid waste'", ""),
    ("CS-CHIBA", *MELT, "ND (asphalt producers)", "Asphalt production", "2399",
     "Slag from direct melting of municipal solid waste, as asphalt aggregate", "", "Implemented",
     "jp_chiba_pref", "same item", ""),
    ("CS-CHIBA", *MELT, "ND (crane and heavy-equipment makers)", "Manufacture of lifting and handling equipment",
     "2822", "Metal recovered by direct melting of municipal solid waste, used for counterweights", "",
     "Implemented", "jp_chiba_pref", "same item", ""),
]

CHIPS = ("ND (waste-wood chipping facility, Aichi eco-town)", "Chips, fibre and wood flour from waste wood", "1610")
ASR = ("ND (ASR recycling facility, Aichi eco-town)", "Recovery of steel-making raw materials from automobile shredder residue",
       "3832")
ROWS += [
    ("CS-AICHI", *CHIPS, "ND (pulp mills)", "Pulp production", "1711", "Wood chips from waste wood", "",
     "Implemented", "jp_aichi", "list 'Waste recycling facilities', item 1", ""),
    ("CS-AICHI", *CHIPS, "ND (board mills)", "Manufacture of wood-based panels", "1621", "Wood chips from waste wood",
     "", "Implemented", "jp_aichi", "item 1", ""),
    ("CS-AICHI", "ND (rubber manufacturing plants)", "Rubber products manufacture", "2219",
     "ND (rubber recycling facility, Aichi eco-town)", "Recycling of unvulcanised rubber into rubber raw material",
     "3832", "Waste rubber before vulcanisation", "", "Implemented", "jp_aichi", "item 'Recycling waste rubber raw materials'", ""),
    ("CS-AICHI", "ND (automobile shredders)", "Dismantling and shredding of end-of-life vehicles", "3831", *ASR,
     "Automobile shredder residue (ASR)", "", "Implemented", "jp_aichi", "item 'Recovering raw materials for steel-making from ASR'", ""),
    ("CS-AICHI", *ASR, "ND (steelworks)", "Steelworks", "2410", "Steel-making raw materials recovered from ASR", "",
     "Implemented", "jp_aichi", "same item", ""),
    ("CS-AICHI", "ND (food manufacturing companies)", "Food manufacturing", "1089",
     "ND (feed and bioethanol facility, Aichi eco-town)", "Livestock feed and bioethanol from food waste", "1091",
     "Food waste from food manufacturing", "", "Implemented", "jp_aichi",
     "item 'Manufacturing livestock feed and bioethanol from food waste generated by food manufacturing com[panies]'", ""),
]

AKMET = ("ND (non-ferrous metal recovery plant, Akita eco-town)", "Recovery of gold, silver, copper and lead", "2441")
WPC = ("ND (construction-material maker, Akita eco-town)", "Construction materials from waste plastics and wood waste",
       "2223")
ROWS += [
    ("CS-AKITA", "ND (home appliance recycler, Akita eco-town)", "Recycling of used home appliances", "3831", *AKMET,
     "Circuit boards from dismantled appliances, PCs and office equipment", "", "Implemented", "jp_akita",
     "items 'Recycling of used home appliances' and 'Recovery of nonferrous metals'", ""),
    ("CS-AKITA", "ND (automobile shredders)", "Dismantling and shredding of end-of-life vehicles", "3831", *AKMET,
     "Automobile shredder residue (ASR)", "", "Implemented", "jp_akita", "item 'Recovery of nonferrous metals'", ""),
    ("CS-AKITA", "ND (wood processing industry)", "Sawmilling and wood processing", "1610", *WPC,
     "Wood chips from the wood processing industry", "", "Implemented", "jp_akita",
     "item 'Manufacture of construction materials from waste plastics and wood waste'", ""),
    ("CS-AKITA", "ND (forestry)", "Forestry (thinning)", "0220", *WPC, "Forest thinnings", "", "Implemented",
     "jp_akita", "same item", ""),
    ("CS-AKITA", "ND (demolition of houses)", "Demolition", "4311", *WPC, "Wood waste from dismantled houses", "",
     "Implemented", "jp_akita", "same item", ""),
    ("CS-AKITA", "ND (farms)", "Agriculture", "0150", *WPC, "Used agricultural films", "020104", "Implemented",
     "jp_akita", "same item", "NACE 01.50 chosen by the compiler: the source says only 'used agricultural films'"),
]

ROWS += [
    ("CS-AANEKOSKI", "Metsä Fibre Äänekoski bioproduct mill", "Pulp production", "1711",
     "EcoEnergy SF biogas plant (Metsä Fibre since 2018)", "Biogas and biopellet production from sludge", "3521",
     "Wood-based wastewater sludge from pulp production", "030311", "Implemented", "fi_metsa",
     "paragraph 1 (plant started 2017, produces biogas and biopellets from the mill's sludge)", ""),
    ("CS-AANEKOSKI", "Äänekosken Energia wastewater treatment plant", "Municipal wastewater treatment", "3700",
     "EcoEnergy SF biogas plant (Metsä Fibre since 2018)", "Biogas and biopellet production from sludge", "3521",
     "Sludge from wastewater treatment", "190805", "Implemented", "fi_metsa", "last paragraph", ""),
]

CELSA = ("Celsa Armeringsstål", "Reinforcing steel from scrap (electric arc furnace and rolling mill)", "2410")
ELKEM = ("Elkem Rana", "Ferrosilicon production", "2410")
FERRO = ("Ferroglobe Mangan Norge (formerly Glencore Manganese)", "Silicomanganese production", "2410")
MOFJV = ("Mo Fjernvarme AS", "District heating from industrial surplus heat", "3530")
ROWS += [
    ("CS-MO-I-RANA", *FERRO, *CELSA, "CO gas from smelting furnaces, used in the rolling mill", "", "Implemented",
     "no_hnn", "section 'Her er noen gode eksempler', paragraph 2", ""),
    ("CS-MO-I-RANA", *CELSA, *ELKEM, "Mill scale (glødeskall) from steel production", "", "Implemented", "no_hnn",
     "section 'Her er noen gode eksempler', paragraph 3", ""),
    ("CS-MO-I-RANA", *CELSA, *FERRO, "Mill scale (glødeskall) from steel production", "", "Implemented", "no_hnn",
     "same paragraph", ""),
    ("CS-MO-I-RANA", *ELKEM, *FERRO, "Slag from ferrosilicon production", "", "Implemented", "no_hnn",
     "same paragraph ('Slagg fra Elkem brukes i prosessen til Ferroglobe')", ""),
    ("CS-MO-I-RANA", *ELKEM, *MOFJV, "Surplus heat in the flue gas of the smelting furnaces", "", "Implemented",
     "no_mofjv", "paragraph 2 (base load; flue-gas boilers of 22 MW)", "Since 1985 (same page, paragraph 1)"),
    ("CS-MO-I-RANA", *FERRO, *MOFJV, "CO-rich fuel gas from the smelting furnaces (peak-load boilers)", "",
     "Implemented", "no_mofjv", "paragraph 3", ""),
    ("CS-MO-I-RANA", *MOFJV, "Kvarøy Smolt", "Salmon hatchery (start-feeding tanks)", "0322",
     "District heat from industrial surplus heat, to temper hatchery water", "", "Implemented", "no_smolt",
     "section 'Varmer karene med fjernvarme'", ""),
]

ROWS += [
    ("CS-HEROYA", "Yara Porsgrunn (compound fertiliser factory 4)", "Mineral fertiliser production", "2015",
     "Skagerak Varme", "District heating", "3530", "Waste heat from compound (NPK) fertiliser production", "",
     "Implemented", "no_heroya", "paragraph 3 (phase 1, opened 2005)", ""),
    ("CS-HEROYA", "Yara Porsgrunn (calcium nitrate factory)", "Mineral fertiliser production", "2015",
     "Skagerak Varme", "District heating", "3530", "Waste heat from calcium nitrate production", "",
     "Implemented", "no_heroya", "paragraphs 1 and 5 (heat station in the calcium nitrate factory, from autumn 2017)",
     ""),
]

COLUMNS = ["exchange_id", "park_id", "park", "country", "maestri_case", "donor_name", "donor_business",
           "donor_nace", "receiver_name", "receiver_business", "receiver_nace", "waste_description", "ewc_code",
           "ewc_hazardous", "status", "source", "source_url", "source_locator", "notes"]


def main() -> None:
    out = Path(__file__).with_name("case_studies_exchanges.csv")
    counters: dict[str, int] = {}
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for (park, dn, db, dnace, rn, rb, rnace, desc, ewc, status, src, loc, notes) in ROWS:
            counters[park] = counters.get(park, 0) + 1
            pname, country, mcase = PARKS[park]
            title, url = SOURCES[src]
            w.writerow([f"{park},{counters[park]}", park, pname, country, mcase, dn, db, dnace, rn, rb, rnace,
                        desc, ewc, "No" if ewc else "", status, title, url, loc, notes])


if __name__ == "__main__":
    main()
