"""What `seed_demo` writes, drawn from the seed essay: the #fightinequality alliance
convened by ActionAid, its national alliances, member organisations of every kind,
the Davos statement of January 2016 and the convenings that followed.

Natural keys (slugs, countries, emails) make every row findable again, so that the
command can run twice without duplicating anything.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.text import slugify

DEMO_PASSWORD = "fightinequality"

# slug, English name, {language: name}
FOCUS_AREAS = (
    ("gender", "Gender", {"fr": "Genre", "es": "Género", "pt": "Gênero"}),
    ("race", "Race", {"fr": "Race", "es": "Raza", "pt": "Raça"}),
    ("class", "Class", {"fr": "Classe", "es": "Clase", "pt": "Classe"}),
    ("caste", "Caste", {"fr": "Caste", "es": "Casta", "pt": "Casta"}),
    ("ethnicity", "Ethnicity", {"fr": "Ethnicité", "es": "Etnicidad", "pt": "Etnia"}),
    (
        "tax-justice",
        "Tax justice",
        {"fr": "Justice fiscale", "es": "Justicia fiscal", "pt": "Justiça tributária"},
    ),
    (
        "public-services",
        "Public services",
        {"fr": "Services publics", "es": "Servicios públicos", "pt": "Serviços públicos"},
    ),
    ("land", "Land", {"fr": "Terre", "es": "Tierra", "pt": "Terra"}),
    ("climate", "Climate", {"fr": "Climat", "es": "Clima", "pt": "Clima"}),
    (
        "labour-rights",
        "Labour rights",
        {
            "fr": "Droits des travailleurs",
            "es": "Derechos laborales",
            "pt": "Direitos trabalhistas",
        },
    ),
    (
        "civic-space",
        "Civic space",
        {"fr": "Espace civique", "es": "Espacio cívico", "pt": "Espaço cívico"},
    ),
    (
        "food-sovereignty",
        "Food sovereignty",
        {
            "fr": "Souveraineté alimentaire",
            "es": "Soberanía alimentaria",
            "pt": "Soberania alimentar",
        },
    ),
    ("health", "Health", {"fr": "Santé", "es": "Salud", "pt": "Saúde"}),
    ("education", "Education", {"fr": "Éducation", "es": "Educación", "pt": "Educação"}),
)

PRINCIPLES_VERSION = 1
PRINCIPLES_PUBLISHED_AT = dt.datetime(2016, 1, 11, 9, 0, tzinfo=dt.UTC)
PRINCIPLES = {
    "en": (
        "Our shared principles",
        """We come together to fight the causes of inequality, not only its symptoms.

1. **A systemic analysis.** Inequality is produced by the concentration of power and
   wealth in the hands of a few. We name its drivers and challenge them.
2. **Power from below.** We build from the grassroots, where inequality is lived every
   day and where struggles are already being fought, to the national and the
   international level.
3. **Taking sides.** We take sides with social movements and with the poorest and most
   excluded people, and we are open to being challenged and changed by them.
4. **Intersectional.** Gender, race, class, caste and ethnicity shape the discrimination
   people face; our work considers them together.
5. **A shared vision, for the long term.** We move together from vision to strategy to
   action, over years, not towards the next summit only.
6. **Doing the right thing, not the easy thing.** We hold the powerful to account, and
   we hold ourselves to account too.""",
    ),
    "fr": (
        "Nos principes communs",
        """Nous nous rassemblons pour combattre les causes des inégalités, et non seulement
leurs symptômes.

1. **Une analyse systémique.** Les inégalités naissent de la concentration du pouvoir et
   des richesses entre les mains de quelques-uns. Nous nommons ces causes et les
   combattons.
2. **Le pouvoir à partir de la base.** Nous construisons à partir des communautés, là où
   les inégalités se vivent au quotidien et où les luttes sont déjà menées, jusqu'aux
   niveaux national et international.
3. **Prendre parti.** Nous prenons parti pour les mouvements sociaux et pour les personnes
   les plus pauvres et les plus exclues, et nous acceptons d'être remis en question par
   elles.
4. **L'intersectionnalité.** Le genre, la race, la classe, la caste et l'ethnicité
   façonnent les discriminations ; notre travail les considère ensemble.
5. **Une vision partagée, sur le long terme.** Nous avançons ensemble de la vision à la
   stratégie puis à l'action, sur plusieurs années.
6. **Faire ce qui est juste, pas ce qui est facile.** Nous demandons des comptes aux
   puissants, et nous nous en demandons aussi.""",
    ),
    "es": (
        "Nuestros principios compartidos",
        """Nos unimos para combatir las causas de la desigualdad, no solo sus síntomas.

1. **Un análisis sistémico.** La desigualdad nace de la concentración del poder y la
   riqueza en manos de unos pocos. Nombramos sus causas y las enfrentamos.
2. **Poder desde abajo.** Construimos desde las bases, donde la desigualdad se vive cada
   día y donde ya se libran las luchas, hasta el nivel nacional e internacional.
3. **Tomar partido.** Tomamos partido por los movimientos sociales y por las personas más
   pobres y excluidas, y aceptamos que nos cuestionen y nos transformen.
4. **Interseccionalidad.** El género, la raza, la clase, la casta y la etnicidad moldean
   la discriminación; nuestro trabajo las considera juntas.
5. **Una visión compartida, a largo plazo.** Avanzamos juntas y juntos de la visión a la
   estrategia y a la acción, durante años.
6. **Hacer lo correcto, no lo fácil.** Pedimos cuentas a los poderosos, y también a
   nosotros mismos.""",
    ),
    "pt": (
        "Nossos princípios comuns",
        """Nós nos unimos para combater as causas da desigualdade, e não apenas seus sintomas.

1. **Uma análise sistêmica.** A desigualdade nasce da concentração de poder e riqueza nas
   mãos de poucos. Nomeamos suas causas e as enfrentamos.
2. **Poder a partir da base.** Construímos a partir das comunidades, onde a desigualdade é
   vivida todos os dias e onde as lutas já acontecem, até os níveis nacional e
   internacional.
3. **Tomar partido.** Tomamos partido dos movimentos sociais e das pessoas mais pobres e
   excluídas, e aceitamos ser questionados e transformados por elas.
4. **Interseccionalidade.** Gênero, raça, classe, casta e etnia moldam a discriminação;
   nosso trabalho as considera em conjunto.
5. **Uma visão compartilhada, de longo prazo.** Avançamos juntos da visão à estratégia e
   à ação, ao longo de anos.
6. **Fazer o que é certo, não o que é fácil.** Cobramos os poderosos, e cobramos a nós
   mesmos também.""",
    ),
}

# country, name, slug, status, description
NATIONAL_ALLIANCES = (
    (
        "UG",
        "Uganda Fight Inequality Alliance",
        "uganda",
        "active",
        "Grassroots groups, unions, faith leaders and NGOs organising from Kapchorwa to "
        "Kampala for land, decent work and free quality public services.",
    ),
    (
        "BR",
        "Aliança Brasileira contra a Desigualdade",
        "brasil",
        "active",
        "Movimentos rurais e urbanos, sindicatos e coletivos de mulheres negras pela justiça "
        "tributária e pelos serviços públicos.",
    ),
    (
        "NP",
        "Nepal Alliance to Fight Inequality",
        "nepal",
        "active",
        "Dalit, Madhesi and Indigenous organisations, informal workers and landless "
        "peasants building power from below.",
    ),
    (
        "IN",
        "Fight Inequality Alliance India",
        "india",
        "active",
        "Movements for the right to work, forest rights and against caste discrimination, "
        "with budget researchers and unions.",
    ),
    (
        "KE",
        "Kenya Fight Inequality Alliance",
        "kenya",
        "active",
        "Community groups from Kibera to the coast, the tax justice platform and "
        "interfaith networks.",
    ),
    (
        "ZA",
        "Fight Inequality Alliance South Africa",
        "south-africa",
        "active",
        "Unemployed workers' movements, community health forums and researchers in the "
        "most unequal country in the world.",
    ),
    (
        "BD",
        "Bangladesh Alliance Against Inequality",
        "bangladesh",
        "forming",
        "Garment workers, coastal women's groups and Indigenous rights defenders, meeting "
        "since 2016.",
    ),
    (
        "GH",
        "Ghana Fight Inequality Coalition",
        "ghana",
        "forming",
        "Shea cooperatives of the north, education campaigners and fiscal transparency "
        "researchers.",
    ),
    (
        "NG",
        "Nigeria Alliance for Equality",
        "nigeria",
        "forming",
        "Market women, environmental justice movements of the Niger Delta and labour.",
    ),
    (
        "SN",
        "Alliance sénégalaise contre les inégalités",
        "senegal",
        "forming",
        "Réseaux de femmes rurales, syndicats d'enseignants et associations de quartier.",
    ),
    (
        "GT",
        "Alianza Guatemalteca contra la Desigualdad",
        "guatemala",
        "active",
        "Comunidades mayas, organizaciones de mujeres y defensoras del territorio.",
    ),
    (
        "ZM",
        "Zambia Inequality Alliance",
        "zambia",
        "dormant",
        "Formed in 2016 around debt and public services; waiting for new coordinators.",
    ),
)


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    short_name: str
    kind: str
    country: str
    city: str
    focus: tuple[str, ...]
    languages: tuple[str, ...] = ("en",)
    website: str = ""
    description: str = ""
    listed_publicly: bool = True
    contacts: int = 2
    # Membership: approved unless said otherwise; `reason` explains a decision.
    status: str = "approved"
    reason: str = ""

    @property
    def slug(self) -> str:
        return slugify(self.short_name or self.name)


def _org(name, short_name, kind, country, city, focus, **kwargs):
    return DemoOrganisation(
        name=name,
        short_name=short_name,
        kind=kind,
        country=country,
        city=city,
        focus=tuple(focus.split()),
        **kwargs,
    )


# The Ugandan member organisation the demo member representative speaks for: the women
# of Kapchorwa District the essay describes.
MEMBER_ORGANISATION_SLUG = "kwfc"

ORGANISATIONS = (
    # Uganda
    _org(
        "Kapchorwa Women Farmers Cooperative",
        "KWFC",
        "womens_rights",
        "UG",
        "Kapchorwa",
        "gender land public-services",
        languages=("en", "sw"),
        website="https://kapchorwa-women.example",
        description="Smallholder women farmers in Eastern Uganda building power through a "
        "cooperative: fair prices, land in women's names, an end to violence against "
        "women, free health care and schools.",
        contacts=1,
    ),
    _org(
        "Elgon Smallholder Land Rights Forum",
        "ESLRF",
        "grassroots",
        "UG",
        "Mbale",
        "land food-sovereignty",
        description="Village land committees on the slopes of Mount Elgon defending "
        "customary land against grabs.",
    ),
    _org(
        "Kampala Domestic Workers' Union",
        "KDWU",
        "union",
        "UG",
        "Kampala",
        "labour-rights gender",
        website="https://kdwu.example",
        contacts=3,
    ),
    _org(
        "Teso Faith Leaders for Justice",
        "TFLJ",
        "faith",
        "UG",
        "Soroti",
        "class public-services",
        description="Anglican, Catholic and Muslim leaders of Teso speaking together on "
        "poverty wages and public services.",
    ),
    _org(
        "Centre for Public Finance and Accountability Uganda",
        "CPFA",
        "research",
        "UG",
        "Kampala",
        "tax-justice public-services",
        website="https://cpfa-uganda.example",
    ),
    _org(
        "Gulu Youth Climate Collective",
        "GYCC",
        "environmental",
        "UG",
        "Gulu",
        "climate land",
        contacts=1,
    ),
    _org(
        "Rwenzori Human Rights Defenders Network",
        "RHRDN",
        "human_rights",
        "UG",
        "Fort Portal",
        "civic-space ethnicity",
        description="Documents abuses against land and environmental defenders in the "
        "Rwenzori region.",
        listed_publicly=False,
    ),
    _org(
        "Uganda Network for Free Public Services",
        "UNFPS",
        "network",
        "UG",
        "Kampala",
        "public-services health education",
        website="https://free-public-services-ug.example",
    ),
    _org(
        "Jinja Market Vendors Association",
        "JMVA",
        "other",
        "UG",
        "Jinja",
        "labour-rights class",
        contacts=1,
        status="applied",
    ),
    _org(
        "Lira Women's Savings Circle",
        "LWSC",
        "grassroots",
        "UG",
        "Lira",
        "gender class",
        contacts=1,
        status="applied",
    ),
    # Brazil
    _org(
        "Movimento das Trabalhadoras Rurais do Sertão",
        "MTRS",
        "movement",
        "BR",
        "Petrolina",
        "land gender food-sovereignty",
        languages=("pt",),
        description="Mulheres trabalhadoras rurais do semiárido em luta por terra, água e "
        "crédito para a agricultura familiar.",
        contacts=3,
    ),
    _org(
        "Rede Cidadã pela Justiça Tributária",
        "RCJT",
        "network",
        "BR",
        "Brasília",
        "tax-justice public-services",
        languages=("pt",),
        website="https://justica-tributaria.example",
    ),
    _org(
        "Instituto de Estudos sobre Desigualdade e Território",
        "IEDT",
        "research",
        "BR",
        "São Paulo",
        "class race tax-justice",
        languages=("pt", "es", "en"),
        website="https://iedt.example",
    ),
    _org(
        "Coletivo de Mulheres Negras da Maré",
        "CMNM",
        "womens_rights",
        "BR",
        "Rio de Janeiro",
        "gender race civic-space",
        languages=("pt",),
    ),
    _org(
        "Sindicato dos Trabalhadores Domésticos de Salvador",
        "SINDOMÉSTICA-SSA",
        "union",
        "BR",
        "Salvador",
        "labour-rights gender race",
        languages=("pt",),
        contacts=1,
    ),
    _org(
        "Fraternidade Ecumênica pela Terra",
        "FET",
        "faith",
        "BR",
        "São Luís",
        "land food-sovereignty",
        languages=("pt",),
        contacts=1,
        status="applied",
    ),
    # Nepal
    _org(
        "Sindhupalchok Dalit Women's Collective",
        "SDWC",
        "womens_rights",
        "NP",
        "Chautara",
        "caste gender",
        languages=("ne", "en"),
    ),
    _org(
        "Nepal Informal Workers' Federation",
        "NIWF",
        "union",
        "NP",
        "Kathmandu",
        "labour-rights class",
        languages=("ne", "en"),
        website="https://niwf.example",
    ),
    _org(
        "Terai Landless Peasants' Movement",
        "TLPM",
        "movement",
        "NP",
        "Janakpur",
        "land caste",
        languages=("ne",),
        contacts=1,
    ),
    _org(
        "Himalayan Climate Justice Network",
        "HCJN",
        "environmental",
        "NP",
        "Pokhara",
        "climate",
        languages=("ne", "en"),
    ),
    # India
    _org(
        "Jan Adhikar Manch Odisha",
        "JAMO",
        "movement",
        "IN",
        "Bhubaneswar",
        "land public-services",
        languages=("en", "hi"),
        contacts=3,
    ),
    _org(
        "Centre for Budget and Equity Studies",
        "CBES",
        "research",
        "IN",
        "New Delhi",
        "tax-justice public-services",
        website="https://cbes.example",
    ),
    _org(
        "Rural Employment Guarantee Workers' Union, Rajasthan",
        "REGWU",
        "union",
        "IN",
        "Jaipur",
        "labour-rights class",
        languages=("hi", "en"),
        description="Workers of the National Rural Employment Guarantee scheme organising "
        "for wages paid on time and work on demand.",
    ),
    _org(
        "Adivasi Forest Rights Collective",
        "AFRC",
        "grassroots",
        "IN",
        "Ranchi",
        "land ethnicity",
        languages=("hi", "en"),
        contacts=1,
    ),
    _org(
        "Dalit Human Rights Watch Tamil Nadu",
        "DHRW-TN",
        "human_rights",
        "IN",
        "Madurai",
        "caste civic-space",
        languages=("en",),
    ),
    # Kenya
    _org(
        "Kibera Women's Economic Justice Group",
        "KWEJG",
        "womens_rights",
        "KE",
        "Nairobi",
        "gender class public-services",
        languages=("en", "sw"),
    ),
    _org(
        "Kenya Tax Justice Platform",
        "KTJP",
        "network",
        "KE",
        "Nairobi",
        "tax-justice",
        website="https://taxjustice-kenya.example",
        contacts=3,
    ),
    _org(
        "Coast Fisherfolk Association",
        "CFA",
        "grassroots",
        "KE",
        "Mombasa",
        "food-sovereignty climate",
        languages=("sw", "en"),
        contacts=1,
    ),
    _org(
        "Kisumu Interfaith Council for Social Justice",
        "KICSJ",
        "faith",
        "KE",
        "Kisumu",
        "class health",
    ),
    _org(
        "Mwamba Advisory Partners",
        "Mwamba",
        "other",
        "KE",
        "Nairobi",
        "tax-justice",
        website="https://mwamba-advisory.example",
        contacts=1,
        status="declined",
        reason="A consultancy that advises companies on tax planning: its work runs against "
        "the principles on tax justice. Invited to follow the alliance's public campaigns "
        "instead.",
    ),
    # South Africa
    _org(
        "Amandla Community Health Forum",
        "ACHF",
        "grassroots",
        "ZA",
        "Durban",
        "health public-services",
        languages=("en", "zu"),
    ),
    _org(
        "Gauteng Unemployed Workers' Movement",
        "GUWM",
        "movement",
        "ZA",
        "Johannesburg",
        "labour-rights class",
        languages=("en", "zu"),
        contacts=3,
    ),
    _org(
        "Southern Africa Equality Research Institute",
        "SAERI",
        "research",
        "ZA",
        "Cape Town",
        "class race tax-justice",
        website="https://saeri.example",
    ),
    _org(
        "Solidarity Without Borders International",
        "SWBI",
        "international_ngo",
        "ZA",
        "Johannesburg",
        "tax-justice gender public-services",
        languages=("en", "fr", "es", "pt"),
        website="https://solidarity-without-borders.example",
        description="An international NGO working in 40 countries with social movements, "
        "putting its resources at the service of national alliances.",
        contacts=3,
    ),
    # Bangladesh
    _org(
        "Bangladesh Garment Workers' Solidarity Centre",
        "BGWSC",
        "union",
        "BD",
        "Dhaka",
        "labour-rights gender",
        languages=("bn", "en"),
        description="Supports union organisers in export garment factories.",
        listed_publicly=False,
    ),
    _org(
        "Coastal Women's Climate Resilience Network",
        "CWCRN",
        "environmental",
        "BD",
        "Khulna",
        "climate gender",
        languages=("bn", "en"),
    ),
    _org(
        "Chittagong Hill Tracts Indigenous Rights Forum",
        "CHTIRF",
        "human_rights",
        "BD",
        "Rangamati",
        "ethnicity land civic-space",
        languages=("bn", "en"),
        contacts=1,
    ),
    # Ghana
    _org(
        "Northern Ghana Shea Women's Cooperative",
        "NGSWC",
        "grassroots",
        "GH",
        "Tamale",
        "gender food-sovereignty",
    ),
    _org(
        "Ghana Coalition for Free Quality Education",
        "GCFQE",
        "network",
        "GH",
        "Accra",
        "education public-services",
        website="https://free-education-gh.example",
    ),
    _org(
        "Accra Centre for Fiscal Transparency",
        "ACFT",
        "research",
        "GH",
        "Accra",
        "tax-justice",
        contacts=1,
    ),
    # Nigeria
    _org(
        "Lagos Market Women's Association",
        "LMWA",
        "womens_rights",
        "NG",
        "Lagos",
        "gender labour-rights",
        languages=("en", "yo"),
    ),
    _org(
        "Niger Delta Environmental Justice Movement",
        "NDEJM",
        "environmental",
        "NG",
        "Port Harcourt",
        "climate land civic-space",
        website="https://ndejm.example",
    ),
    # Senegal
    _org(
        "Réseau des femmes rurales de Casamance",
        "REFERC",
        "womens_rights",
        "SN",
        "Ziguinchor",
        "gender land food-sovereignty",
        languages=("fr", "wo"),
    ),
    _org(
        "Syndicat national des enseignants pour l'école publique",
        "SNEEP",
        "union",
        "SN",
        "Dakar",
        "education labour-rights",
        languages=("fr",),
        website="https://sneep.example",
    ),
    # Guatemala
    _org(
        "Consejo de Comunidades Mayas por la Tierra",
        "CCMT",
        "movement",
        "GT",
        "Cobán",
        "land ethnicity",
        languages=("es",),
        description="Comunidades q'eqchi' defendiendo su territorio frente a la "
        "expansión de monocultivos.",
        listed_publicly=False,
    ),
    _org(
        "Asociación de Mujeres Mayas de Quetzaltenango",
        "AMMQ",
        "womens_rights",
        "GT",
        "Quetzaltenango",
        "gender ethnicity",
        languages=("es",),
    ),
    # Zambia
    _org(
        "Zambia Debt and Development Forum",
        "ZDDF",
        "national_ngo",
        "ZM",
        "Lusaka",
        "tax-justice public-services",
        website="https://zddf.example",
        status="suspended",
        reason="Suspended by the secretariat: no answer to any message for over a year and "
        "the registered office is closed. To be reviewed when the Zambian alliance meets "
        "again.",
    ),
    # Elsewhere in the global south (members of the international alliance)
    _org(
        "Visayas Fisherfolk Federation",
        "VFF",
        "movement",
        "PH",
        "Iloilo City",
        "food-sovereignty climate",
        languages=("en", "tl"),
    ),
    _org(
        "Manila Urban Poor Women's Network",
        "MUPWN",
        "womens_rights",
        "PH",
        "Quezon City",
        "gender public-services",
        languages=("en", "tl"),
        contacts=1,
    ),
    _org(
        "Red Mexicana por el Trabajo Digno",
        "REMTD",
        "network",
        "MX",
        "Ciudad de México",
        "labour-rights",
        languages=("es",),
        website="https://trabajo-digno.example",
    ),
    _org(
        "Centro de Estudios Fiscales de Oaxaca",
        "CEFO",
        "research",
        "MX",
        "Oaxaca",
        "tax-justice ethnicity",
        languages=("es",),
        contacts=1,
    ),
    _org(
        "Colectivo Afrocolombiano por la Igualdad",
        "CAPI",
        "human_rights",
        "CO",
        "Cali",
        "race civic-space",
        languages=("es",),
    ),
    _org(
        "Federación de Comunidades Campesinas del Cusco",
        "FCCC",
        "movement",
        "PE",
        "Cusco",
        "land food-sovereignty",
        languages=("es", "qu"),
    ),
    _org(
        "Red de Mujeres Aymaras de El Alto",
        "REMA",
        "womens_rights",
        "BO",
        "El Alto",
        "gender ethnicity",
        languages=("es", "ay"),
        contacts=1,
    ),
    _org(
        "Observatorio de la Deuda y los Derechos",
        "ODD",
        "research",
        "AR",
        "Buenos Aires",
        "tax-justice public-services",
        languages=("es",),
        website="https://deuda-y-derechos.example",
    ),
    _org(
        "Serikat Buruh Perempuan Jakarta",
        "SBPJ",
        "union",
        "ID",
        "Jakarta",
        "labour-rights gender",
        languages=("id", "en"),
    ),
    _org(
        "Sindh Peasant Women's Association",
        "SPWA",
        "grassroots",
        "PK",
        "Hyderabad",
        "land gender",
        languages=("ur", "en"),
        contacts=1,
    ),
    _org(
        "Zanzibar Seaweed Farmers' Cooperative",
        "ZSFC",
        "grassroots",
        "TZ",
        "Zanzibar",
        "gender climate",
        languages=("sw", "en"),
        contacts=1,
    ),
    _org(
        "Association tunisienne pour la justice sociale",
        "ATJS",
        "human_rights",
        "TN",
        "Gafsa",
        "class civic-space",
        languages=("ar", "fr"),
    ),
    _org(
        "Collectif haïtien pour le droit au logement",
        "CHDL",
        "grassroots",
        "HT",
        "Port-au-Prince",
        "public-services",
        languages=("fr", "ht"),
        contacts=1,
    ),
    _org(
        "Réseau des Églises pour la justice économique",
        "REJE",
        "faith",
        "CD",
        "Kinshasa",
        "class tax-justice",
        languages=("fr", "ln"),
    ),
    _org(
        "Addis Civic Space Initiative",
        "ACSI",
        "human_rights",
        "ET",
        "Addis Ababa",
        "civic-space",
        languages=("am", "en"),
        contacts=1,
        listed_publicly=False,
    ),
    _org(
        "Fórum das Mulheres de Nampula",
        "FMN",
        "womens_rights",
        "MZ",
        "Nampula",
        "gender land",
        languages=("pt",),
    ),
    _org(
        "Fórum Nacional da Sociedade Civil de Moçambique",
        "FONASC",
        "national_ngo",
        "MZ",
        "Maputo",
        "tax-justice public-services",
        languages=("pt",),
        website="https://fonasc.example",
        contacts=1,
    ),
    _org(
        "Nepal Forum for Social Accountability",
        "NFSA",
        "national_ngo",
        "NP",
        "Lalitpur",
        "public-services education",
        languages=("ne", "en"),
        contacts=1,
    ),
    # The global north
    _org(
        "Tax Fairness Collective UK",
        "TFC",
        "network",
        "GB",
        "London",
        "tax-justice",
        website="https://taxfairness.example",
    ),
    _org(
        "Northern Workers' Research Unit",
        "NWRU",
        "research",
        "GB",
        "Manchester",
        "labour-rights class",
        contacts=1,
    ),
    _org(
        "Christian Action on Inequality",
        "CAI",
        "faith",
        "GB",
        "Birmingham",
        "class public-services",
        website="https://christian-action-inequality.example",
    ),
    _org(
        "Collectif pour une fiscalité juste",
        "CFJ",
        "network",
        "FR",
        "Paris",
        "tax-justice public-services",
        languages=("fr",),
        website="https://fiscalite-juste.example",
    ),
    _org(
        "Solidarité Internationale Sud-Nord",
        "SISN",
        "international_ngo",
        "FR",
        "Lyon",
        "gender food-sovereignty",
        languages=("fr", "en", "es"),
        contacts=3,
    ),
    _org(
        "Plataforma Ciudadana por los Servicios Públicos",
        "PCSP",
        "network",
        "ES",
        "Barcelona",
        "public-services health",
        languages=("es", "ca"),
        contacts=1,
    ),
    _org(
        "Initiative Gerechte Wirtschaft",
        "IGW",
        "national_ngo",
        "DE",
        "Berlin",
        "tax-justice climate",
        languages=("de", "en"),
        website="https://gerechte-wirtschaft.example",
    ),
    _org(
        "Common Ground International",
        "CGI",
        "international_ngo",
        "NL",
        "Amsterdam",
        "civic-space gender",
        languages=("en", "nl", "fr"),
        website="https://common-ground-international.example",
    ),
    _org(
        "Center for Worker Power and Equity",
        "CWPE",
        "research",
        "US",
        "Washington",
        "labour-rights race",
        website="https://worker-power.example",
    ),
    _org(
        "Detroit Community Land Trust Coalition",
        "DCLTC",
        "grassroots",
        "US",
        "Detroit",
        "land race",
        contacts=1,
        status="applied",
    ),
    _org(
        "Réseau québécois pour l'équité fiscale",
        "RQEF",
        "network",
        "CA",
        "Montréal",
        "tax-justice",
        languages=("fr", "en"),
        contacts=1,
    ),
    _org(
        "Nordic Climate and Equity Forum",
        "NCEF",
        "environmental",
        "NO",
        "Oslo",
        "climate",
        languages=("no", "en"),
        contacts=1,
    ),
    _org(
        "Brussels Office for Global Economic Justice",
        "BOGEJ",
        "other",
        "BE",
        "Bruxelles",
        "tax-justice civic-space",
        languages=("fr", "nl", "en"),
    ),
    _org(
        "Associação Lisboa Solidária",
        "ALS",
        "national_ngo",
        "PT",
        "Lisboa",
        "public-services",
        languages=("pt",),
        contacts=1,
    ),
    _org(
        "Australian Council for Fair Taxation",
        "ACFT-AU",
        "national_ngo",
        "AU",
        "Melbourne",
        "tax-justice",
        contacts=1,
    ),
)


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str
    language: str
    time_zone: str
    # Convenors and coordinators need a second factor: the demo's is an authenticator app
    # with this fixed, public secret (`manage.py demo_totp EMAIL` prints its current code).
    totp_secret: str = ""


CONVENOR = DemoUser(
    "convenor@demo.alliancehub.org",
    "Thandeka Moyo",
    "convenor (secretariat): everything, and the admin",
    "en",
    "Africa/Johannesburg",
    totp_secret="MRSW23ZNMNXW45TFNZXXELLUN52HAIJB",
)
UGANDA_COORDINATOR = DemoUser(
    "coordinator.uganda@demo.alliancehub.org",
    "Grace Nakato",
    "coordinator of the Uganda Fight Inequality Alliance",
    "en",
    "Africa/Kampala",
    totp_secret="MRSW23ZNOVTWC3TEMEWXI33UOAQSCIJB",
)
BRAZIL_COORDINATOR = DemoUser(
    "coordinator.brazil@demo.alliancehub.org",
    "Raimunda Nascimento",
    "coordinator of the Aliança Brasileira contra a Desigualdade (Portuguese)",
    "pt",
    "America/Sao_Paulo",
    totp_secret="MRSW23ZNMJZGC6TJNQWXI33UOAQSCIJB",
)
MEMBER = DemoUser(
    "member@demo.alliancehub.org",
    "Esther Chebet",
    "representative of the Kapchorwa Women Farmers Cooperative, authorised to sign",
    "en",
    "Africa/Kampala",
)
DEMO_USERS = (CONVENOR, UGANDA_COORDINATOR, BRAZIL_COORDINATOR, MEMBER)


CAMPAIGN = {
    "slug": "fight-inequality",
    "title": "Fight Inequality",
    "starts_on": dt.date(2016, 1, 1),
    "vision": """A world where power and wealth are shared, where the gap between the haves
and the have-nots, and between men and women, narrows year after year.

Inequality is not a statistic: it is lived every day by the poorest and most excluded
people, and that is where the hope for change begins. We are not a one-year branded
mobilisation around an intergovernmental event, but a multi-year process of organising
power from below.""",
    "strategy": """1. **Build national alliances** from the local realities of inequality: Uganda,
   Brazil, Nepal, India, Kenya, South Africa first, and more each year.
2. **Broaden the table**: more southern groups, more from the feminist movement.
3. **Time our voice to the moments** when elites meet (Davos each January) and
   make them answer to the people.
4. **Move from vision to strategy to action**, together, with a shared analysis of the
   drivers of inequality and a positive vision of the solutions.""",
}

DAVOS_2016 = "World Economic Forum, Davos 2016"
# title, date, description. A moment's title is its natural key within the campaign.
MOMENTS = (
    (
        DAVOS_2016,
        dt.date(2016, 1, 20),
        "As elites meet in Davos, civil society leaders issue a joint statement stepping up "
        "the fight on inequality: 62 people own the same wealth as half the world.",
    ),
    (
        "First national alliances convene",
        dt.date(2016, 6, 15),
        "Uganda, Nepal and Brazil hold their first national meetings of the alliance.",
    ),
    (
        "World Economic Forum, Davos 2017",
        dt.date(2017, 1, 17),
        "A week of action: people's forums and marches in cities across the alliance while "
        "Davos meets.",
    ),
)
# Dated from the day the demo is seeded, so that it is always ahead.
UPCOMING_MOMENT = (
    "Global week of action on tax justice",
    30,  # days from today
    "Members speak with one voice: tax the richest to fund the public services we all need.",
)


DAVOS_STATEMENT_SLUG = "civil-society-leaders-step-up-the-fight-on-inequality"
# The organisation that signed the Davos statement and later withdrew its signature.
DAVOS_WITHDRAWN_SLUG = "cai"
DAVOS_STATEMENT = {
    "signon_opens_at": dt.datetime(2016, 1, 8, 9, 0, tzinfo=dt.UTC),
    "signon_closes_at": dt.datetime(2016, 1, 19, 12, 0, tzinfo=dt.UTC),
    "embargo_until": dt.datetime(2016, 1, 20, 5, 0, tzinfo=dt.UTC),
    "texts": {
        "en": (
            "Civil society leaders step up the fight on inequality",
            "As the world's elites meet in Davos, leaders of social movements, unions, "
            "women's rights organisations, faith groups and NGOs commit to fight inequality "
            "together.",
            """Sixty-two people now own as much wealth as half of the world's population. This
is not an accident. It is the result of choices made by the powerful: tax rules written
for the richest, wages held down, public services cut, land taken from those who farm
it, and civic space closing on those who speak out.

As political and business leaders gather at the World Economic Forum in Davos, we,
organisations of women, workers, farmers, faith communities, environmental and human
rights defenders and development organisations from the global south and north, say:
enough.

We commit to step up the fight on inequality together:

- **Build power from below**, with the people who live inequality every day and who are
  already fighting it, from the local to the national and international level.
- **Name the causes**, not only the symptoms: the concentration of wealth and power in
  the hands of a few.
- **Fight for fair taxes**, so that the richest individuals and corporations pay their
  share, and for free, quality public services: health, education, social protection.
- **Defend decent work and living wages**, and the right of workers to organise.
- **Protect the space for civil society** and for all who defend rights, land and the
  planet.
- **Put women's rights at the centre**, and address inequalities of gender, race, class,
  caste and ethnicity together.

The consensus that inequality is a problem is growing. What is missing is the power to
change it. We will build that power together, over the years to come.""",
        ),
        "fr": (
            "Des leaders de la société civile intensifient la lutte contre les inégalités",
            "Alors que les élites mondiales se réunissent à Davos, des responsables de "
            "mouvements sociaux, de syndicats, d'organisations de défense des droits des "
            "femmes, de groupes confessionnels et d'ONG s'engagent à combattre ensemble les "
            "inégalités.",
            """Soixante-deux personnes possèdent aujourd'hui autant que la moitié de la
population mondiale. Ce n'est pas un accident. C'est le résultat de choix faits par les
puissants : des règles fiscales écrites pour les plus riches, des salaires tirés vers le
bas, des services publics amputés, des terres prises à celles et ceux qui les cultivent,
et un espace civique qui se referme sur celles et ceux qui prennent la parole.

Alors que les dirigeants politiques et économiques se retrouvent au Forum économique
mondial de Davos, nous, organisations de femmes, de travailleurs et travailleuses, de
paysannes et paysans, communautés de foi, défenseurs de l'environnement et des droits
humains et organisations de développement du Sud et du Nord, disons : assez.

Nous nous engageons à intensifier ensemble la lutte contre les inégalités :

- **Construire le pouvoir à partir de la base**, avec les personnes qui vivent les
  inégalités au quotidien et qui les combattent déjà, du local au national et à
  l'international.
- **Nommer les causes**, et pas seulement les symptômes : la concentration des richesses
  et du pouvoir entre les mains de quelques-uns.
- **Lutter pour une fiscalité juste**, pour que les plus riches et les multinationales
  paient leur part, et pour des services publics gratuits et de qualité : santé,
  éducation, protection sociale.
- **Défendre le travail décent et des salaires qui permettent de vivre**, et le droit des
  travailleurs à s'organiser.
- **Protéger l'espace de la société civile** et de toutes celles et ceux qui défendent
  les droits, la terre et la planète.
- **Placer les droits des femmes au centre**, et agir ensemble contre les inégalités de
  genre, de race, de classe, de caste et d'ethnicité.

Le consensus sur le fait que les inégalités posent problème grandit. Ce qui manque, c'est
le pouvoir de les changer. Nous construirons ce pouvoir ensemble, dans les années qui
viennent.""",
        ),
    },
}

OPEN_STATEMENT_SLUG = "tax-the-richest-fund-public-services"
OPEN_STATEMENT = {
    "opened_days_ago": 5,
    "closes_in_days": 21,
    "texts": {
        "en": (
            "Tax the richest, fund the public services we all need",
            "Members of the alliance call on governments to tax extreme wealth and invest "
            "in free, quality public services.",
            """Nurses without medicines, schools without teachers, women walking hours for
water: this is what austerity looks like from below. Meanwhile the wealth of the richest
keeps growing, much of it untaxed or hidden offshore.

We call on every government to:

1. **Tax extreme wealth and the profits of multinational companies** fairly, and close
   the loopholes that let them escape.
2. **Invest the revenue in free, quality public services**: health, education, water,
   care and social protection, designed with the women who rely on them most.
3. **Open budgets to the people**, so that communities can see where the money goes.""",
        ),
        "fr": (
            "Taxer les plus riches, financer les services publics dont nous avons tous besoin",
            "Les membres de l'alliance appellent les gouvernements à taxer les grandes "
            "fortunes et à investir dans des services publics gratuits et de qualité.",
            """Des infirmières sans médicaments, des écoles sans enseignants, des femmes qui
marchent des heures pour trouver de l'eau : voilà à quoi ressemble l'austérité vue d'en
bas. Pendant ce temps, la fortune des plus riches continue de croître, en grande partie
non imposée ou cachée dans les paradis fiscaux.

Nous appelons chaque gouvernement à :

1. **Taxer équitablement les grandes fortunes et les bénéfices des multinationales**, et
   fermer les failles qui leur permettent d'y échapper.
2. **Investir ces recettes dans des services publics gratuits et de qualité** : santé,
   éducation, eau, soins et protection sociale, conçus avec les femmes qui en dépendent
   le plus.
3. **Ouvrir les budgets aux citoyens**, pour que les communautés sachent où va
   l'argent.""",
        ),
        "es": (
            "Gravar a los más ricos, financiar los servicios públicos que todas y todos "
            "necesitamos",
            "Las organizaciones de la alianza piden a los gobiernos gravar la riqueza extrema "
            "e invertir en servicios públicos gratuitos y de calidad.",
            """Enfermeras sin medicamentos, escuelas sin maestros, mujeres que caminan horas
para conseguir agua: así se ve la austeridad desde abajo. Mientras tanto, la riqueza de
los más ricos sigue creciendo, en gran parte sin impuestos u oculta en paraísos fiscales.

Pedimos a cada gobierno:

1. **Gravar de forma justa la riqueza extrema y las ganancias de las multinacionales**, y
   cerrar los vacíos que les permiten evadir.
2. **Invertir lo recaudado en servicios públicos gratuitos y de calidad**: salud,
   educación, agua, cuidados y protección social, diseñados con las mujeres que más
   dependen de ellos.
3. **Abrir los presupuestos a la ciudadanía**, para que las comunidades sepan a dónde va
   el dinero.""",
        ),
        "pt": (
            "Taxar os mais ricos, financiar os serviços públicos de que todos precisamos",
            "As organizações da aliança pedem aos governos que taxem a riqueza extrema e "
            "invistam em serviços públicos gratuitos e de qualidade.",
            """Enfermeiras sem remédios, escolas sem professores, mulheres andando horas em
busca de água: é assim que a austeridade se vê de baixo. Enquanto isso, a riqueza dos mais
ricos continua crescendo, em grande parte sem impostos ou escondida em paraísos fiscais.

Pedimos a cada governo que:

1. **Tribute de forma justa a riqueza extrema e os lucros das multinacionais**, e feche
   as brechas que lhes permitem escapar.
2. **Invista a arrecadação em serviços públicos gratuitos e de qualidade**: saúde,
   educação, água, cuidados e proteção social, pensados com as mulheres que mais dependem
   deles.
3. **Abra os orçamentos à população**, para que as comunidades saibam para onde vai o
   dinheiro.""",
        ),
    },
}


# Convenings are dated from the day the demo is seeded (days ahead, local start hour).
UGANDA_CONVENING = {
    "slug": "uganda-national-convening-kampala",
    "title": "Uganda national convening: organising from below",
    "days_ahead": 24,
    "start_hour": 9,
    "duration_hours": 32,  # two days, 09:00 to 17:00 the next day
    "time_zone": "Africa/Kampala",
    "venue": "Nsambya Community Hall, Kampala",
    "agenda": """**Day 1**

- 09:00 Welcome and introductions
- 10:00 Stories from the front line: Kapchorwa, Gulu, Mbale
- 14:00 Land, decent work and public services: where we win and lose

**Day 2**

- 09:00 Our national strategy for the coming year
- 14:00 The tax justice week of action in Uganda
- 16:30 Closing""",
}
INTERNATIONAL_CONVENING = {
    "slug": "international-strategy-meeting-online",
    "title": "International strategy meeting: from vision to strategy to action",
    "days_ahead": 40,
    "start_hour": 13,
    "duration_hours": 3,
    "time_zone": "UTC",
    "online_link": "https://meet.example/fight-inequality-strategy",
    "agenda": """- Reports from the national alliances
- The global week of action on tax justice: what happened, what next
- Broadening the table: southern groups and the feminist movement
- Next Davos moment""",
}
