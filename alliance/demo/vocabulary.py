"""Places, people's names and name patterns that demo and bulk organisations are made of.

Countries carry a weight for the bulk generator: the alliance wants more groups from the
global south, so southern countries (and those with a national alliance) weigh more.
Countries not listed here still get a few bulk organisations (see `seed_bulk`), without
a city.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class CountryProfile:
    weight: float
    # ISO 639-1 codes; the first of en/fr/es/pt among them is the language names are in.
    languages: tuple[str, ...]
    time_zone: str
    cities: tuple[str, ...]
    # Key of PEOPLE: where contacts' names are drawn from.
    people: str


def _profile(weight, languages, time_zone, cities, people):
    return CountryProfile(
        weight=weight,
        languages=tuple(languages.split()),
        time_zone=time_zone,
        cities=tuple(city.strip() for city in cities.split(",")),
        people=people,
    )


COUNTRIES: dict[str, CountryProfile] = {
    # Africa
    "UG": _profile(
        8,
        "en sw",
        "Africa/Kampala",
        "Kampala, Gulu, Mbale, Jinja, Kapchorwa, Lira, Mbarara, Soroti, Fort Portal, Arua",
        "east_africa",
    ),
    "KE": _profile(
        8,
        "en sw",
        "Africa/Nairobi",
        "Nairobi, Mombasa, Kisumu, Nakuru, Eldoret, Garissa, Machakos, Kitale",
        "east_africa",
    ),
    "TZ": _profile(
        5,
        "sw en",
        "Africa/Dar_es_Salaam",
        "Dar es Salaam, Dodoma, Arusha, Mwanza, Zanzibar, Mbeya",
        "east_africa",
    ),
    "RW": _profile(2, "rw fr en", "Africa/Kigali", "Kigali, Huye, Musanze", "east_africa"),
    "ET": _profile(
        4, "am en", "Africa/Addis_Ababa", "Addis Ababa, Bahir Dar, Hawassa, Mekelle", "horn"
    ),
    "SO": _profile(1, "so en", "Africa/Mogadishu", "Mogadishu, Hargeisa, Baidoa", "horn"),
    "MW": _profile(
        3, "en ny", "Africa/Blantyre", "Lilongwe, Blantyre, Mzuzu, Zomba", "southern_africa"
    ),
    "ZM": _profile(
        4, "en", "Africa/Lusaka", "Lusaka, Ndola, Kitwe, Livingstone, Chipata", "southern_africa"
    ),
    "ZW": _profile(
        4, "en sn", "Africa/Harare", "Harare, Bulawayo, Mutare, Gweru, Masvingo", "southern_africa"
    ),
    "ZA": _profile(
        8,
        "en zu xh af",
        "Africa/Johannesburg",
        "Johannesburg, Cape Town, Durban, Makhanda, Polokwane, Gqeberha, Soweto, Pietermaritzburg",
        "southern_africa",
    ),
    "MZ": _profile(
        4, "pt", "Africa/Maputo", "Maputo, Beira, Nampula, Quelimane, Pemba", "lusophone"
    ),
    "AO": _profile(2, "pt", "Africa/Luanda", "Luanda, Huambo, Benguela, Lubango", "lusophone"),
    "GH": _profile(
        7,
        "en",
        "Africa/Accra",
        "Accra, Kumasi, Tamale, Cape Coast, Bolgatanga, Ho, Takoradi",
        "west_africa",
    ),
    "NG": _profile(
        8,
        "en ha yo ig",
        "Africa/Lagos",
        "Lagos, Abuja, Kano, Ibadan, Port Harcourt, Enugu, Jos, Kaduna, Benin City",
        "west_africa",
    ),
    "SL": _profile(2, "en", "Africa/Freetown", "Freetown, Bo, Kenema", "west_africa"),
    "LR": _profile(2, "en", "Africa/Monrovia", "Monrovia, Gbarnga, Buchanan", "west_africa"),
    "SN": _profile(
        6,
        "fr wo",
        "Africa/Dakar",
        "Dakar, Thiès, Saint-Louis, Ziguinchor, Kaolack, Tambacounda",
        "francophone_africa",
    ),
    "ML": _profile(
        3, "fr bm", "Africa/Bamako", "Bamako, Ségou, Mopti, Sikasso, Kayes", "francophone_africa"
    ),
    "BF": _profile(
        3,
        "fr",
        "Africa/Ouagadougou",
        "Ouagadougou, Bobo-Dioulasso, Koudougou",
        "francophone_africa",
    ),
    "NE": _profile(2, "fr ha", "Africa/Niamey", "Niamey, Zinder, Maradi", "francophone_africa"),
    "CI": _profile(
        3, "fr", "Africa/Abidjan", "Abidjan, Bouaké, Yamoussoukro, Korhogo", "francophone_africa"
    ),
    "CM": _profile(
        3, "fr en", "Africa/Douala", "Yaoundé, Douala, Bamenda, Garoua", "francophone_africa"
    ),
    "CD": _profile(
        3,
        "fr ln sw",
        "Africa/Kinshasa",
        "Kinshasa, Lubumbashi, Goma, Bukavu, Kisangani",
        "francophone_africa",
    ),
    "BJ": _profile(
        2, "fr", "Africa/Porto-Novo", "Cotonou, Porto-Novo, Parakou", "francophone_africa"
    ),
    "TG": _profile(2, "fr", "Africa/Lome", "Lomé, Kara, Sokodé", "francophone_africa"),
    "MG": _profile(
        2,
        "mg fr",
        "Indian/Antananarivo",
        "Antananarivo, Toamasina, Fianarantsoa",
        "francophone_africa",
    ),
    "MA": _profile(2, "ar fr", "Africa/Casablanca", "Rabat, Casablanca, Marrakech, Fès", "arab"),
    "TN": _profile(2, "ar fr", "Africa/Tunis", "Tunis, Sfax, Gafsa, Sousse", "arab"),
    "EG": _profile(2, "ar", "Africa/Cairo", "Cairo, Alexandria, Assiut", "arab"),
    "SD": _profile(1, "ar en", "Africa/Khartoum", "Khartoum, Omdurman, Port Sudan", "arab"),
    # Americas
    "BR": _profile(
        9,
        "pt",
        "America/Sao_Paulo",
        "São Paulo, Rio de Janeiro, Salvador, Recife, Belém, Fortaleza, Porto Alegre, "
        "São Luís, Belo Horizonte, Manaus, Goiânia, Brasília, Florianópolis, Maceió, Petrolina",
        "lusophone",
    ),
    "MX": _profile(
        5,
        "es",
        "America/Mexico_City",
        "Ciudad de México, Oaxaca, Guadalajara, Monterrey, San Cristóbal de las Casas, "
        "Mérida, Puebla",
        "hispanic",
    ),
    "GT": _profile(
        5,
        "es",
        "America/Guatemala",
        "Ciudad de Guatemala, Quetzaltenango, Cobán, Huehuetenango, Sololá",
        "hispanic",
    ),
    "HN": _profile(
        2, "es", "America/Tegucigalpa", "Tegucigalpa, San Pedro Sula, La Ceiba", "hispanic"
    ),
    "SV": _profile(
        2, "es", "America/El_Salvador", "San Salvador, Santa Ana, San Miguel", "hispanic"
    ),
    "NI": _profile(2, "es", "America/Managua", "Managua, León, Matagalpa", "hispanic"),
    "CO": _profile(
        4,
        "es",
        "America/Bogota",
        "Bogotá, Medellín, Cali, Cartagena, Quibdó, Popayán",
        "hispanic",
    ),
    "PE": _profile(
        4, "es qu", "America/Lima", "Lima, Cusco, Arequipa, Puno, Iquitos, Ayacucho", "hispanic"
    ),
    "BO": _profile(
        3,
        "es qu ay",
        "America/La_Paz",
        "La Paz, El Alto, Cochabamba, Santa Cruz de la Sierra, Sucre, Potosí",
        "hispanic",
    ),
    "EC": _profile(
        3, "es", "America/Guayaquil", "Quito, Guayaquil, Cuenca, Esmeraldas", "hispanic"
    ),
    "AR": _profile(
        3,
        "es",
        "America/Argentina/Buenos_Aires",
        "Buenos Aires, Córdoba, Rosario, Mendoza, San Miguel de Tucumán",
        "hispanic",
    ),
    "CL": _profile(
        2, "es", "America/Santiago", "Santiago, Valparaíso, Concepción, Temuco", "hispanic"
    ),
    "PY": _profile(
        2, "es gn", "America/Asuncion", "Asunción, Ciudad del Este, Encarnación", "hispanic"
    ),
    "VE": _profile(1, "es", "America/Caracas", "Caracas, Maracaibo, Barquisimeto", "hispanic"),
    "DO": _profile(
        2, "es", "America/Santo_Domingo", "Santo Domingo, Santiago de los Caballeros", "hispanic"
    ),
    "CU": _profile(1, "es", "America/Havana", "La Habana, Santiago de Cuba", "hispanic"),
    "HT": _profile(
        2,
        "fr ht",
        "America/Port-au-Prince",
        "Port-au-Prince, Cap-Haïtien, Les Cayes, Jacmel",
        "french",
    ),
    "JM": _profile(1, "en", "America/Jamaica", "Kingston, Montego Bay", "anglo"),
    # Asia
    "IN": _profile(
        9,
        "en hi",
        "Asia/Kolkata",
        "New Delhi, Mumbai, Kolkata, Chennai, Bengaluru, Bhubaneswar, Ranchi, Jaipur, "
        "Lucknow, Patna, Hyderabad, Madurai, Guwahati",
        "south_asia",
    ),
    "NP": _profile(
        7,
        "ne en",
        "Asia/Kathmandu",
        "Kathmandu, Pokhara, Biratnagar, Janakpur, Nepalgunj, Dhangadhi, Lalitpur, Chautara",
        "south_asia",
    ),
    "LK": _profile(
        2, "si ta en", "Asia/Colombo", "Colombo, Jaffna, Kandy, Batticaloa", "south_asia"
    ),
    "BD": _profile(
        7,
        "bn en",
        "Asia/Dhaka",
        "Dhaka, Chattogram, Khulna, Rajshahi, Sylhet, Barishal, Rangpur, Rangamati",
        "south_asia_muslim",
    ),
    "PK": _profile(
        5,
        "ur en",
        "Asia/Karachi",
        "Karachi, Lahore, Islamabad, Peshawar, Hyderabad, Quetta, Multan",
        "south_asia_muslim",
    ),
    "AF": _profile(1, "ps fa", "Asia/Kabul", "Kabul, Herat, Mazar-i-Sharif", "south_asia_muslim"),
    "PH": _profile(
        5,
        "en tl",
        "Asia/Manila",
        "Quezon City, Manila, Cebu City, Davao City, Iloilo City, Baguio, Tacloban",
        "filipino",
    ),
    "ID": _profile(
        5,
        "id",
        "Asia/Jakarta",
        "Jakarta, Surabaya, Yogyakarta, Makassar, Medan, Bandung, Jayapura",
        "malay",
    ),
    "MY": _profile(
        1, "ms en", "Asia/Kuala_Lumpur", "Kuala Lumpur, George Town, Kota Kinabalu", "malay"
    ),
    "KH": _profile(2, "km", "Asia/Phnom_Penh", "Phnom Penh, Siem Reap, Battambang", "global"),
    "TH": _profile(2, "th", "Asia/Bangkok", "Bangkok, Chiang Mai, Khon Kaen", "global"),
    "VN": _profile(1, "vi", "Asia/Ho_Chi_Minh", "Hà Nội, Thành phố Hồ Chí Minh, Huế", "global"),
    "MM": _profile(2, "my", "Asia/Yangon", "Yangon, Mandalay, Sittwe", "global"),
    "LB": _profile(1, "ar fr", "Asia/Beirut", "Beirut, Tripoli, Saida", "arab"),
    "JO": _profile(1, "ar", "Asia/Amman", "Amman, Irbid, Zarqa", "arab"),
    "PS": _profile(1, "ar", "Asia/Hebron", "Ramallah, Gaza, Hebron, Nablus", "arab"),
    "KG": _profile(1, "ky ru", "Asia/Bishkek", "Bishkek, Osh", "global"),
    "MN": _profile(1, "mn", "Asia/Ulaanbaatar", "Ulaanbaatar, Erdenet", "global"),
    # Oceania
    "FJ": _profile(1, "en", "Pacific/Fiji", "Suva, Lautoka, Nadi", "global"),
    "PG": _profile(1, "en tpi", "Pacific/Port_Moresby", "Port Moresby, Lae, Mount Hagen", "global"),
    # The global north
    "GB": _profile(
        4,
        "en",
        "Europe/London",
        "London, Manchester, Glasgow, Birmingham, Cardiff, Belfast, Leeds, Bristol",
        "anglo",
    ),
    "US": _profile(
        4,
        "en es",
        "America/New_York",
        "New York, Washington, Chicago, Detroit, Oakland, New Orleans, Atlanta, Los Angeles",
        "anglo",
    ),
    "CA": _profile(
        2,
        "en fr",
        "America/Toronto",
        "Toronto, Montréal, Vancouver, Ottawa, Winnipeg, Québec",
        "anglo",
    ),
    "AU": _profile(1, "en", "Australia/Sydney", "Sydney, Melbourne, Brisbane, Perth", "anglo"),
    "NZ": _profile(1, "en mi", "Pacific/Auckland", "Auckland, Wellington, Christchurch", "anglo"),
    "IE": _profile(1, "en ga", "Europe/Dublin", "Dublin, Cork, Galway", "anglo"),
    "FR": _profile(
        3,
        "fr",
        "Europe/Paris",
        "Paris, Lyon, Marseille, Toulouse, Lille, Nantes, Saint-Étienne, Montpellier",
        "french",
    ),
    "BE": _profile(
        2, "fr nl", "Europe/Brussels", "Bruxelles, Liège, Namur, Gent, Antwerpen", "french"
    ),
    "CH": _profile(1, "fr de", "Europe/Zurich", "Genève, Lausanne, Zürich, Bern", "french"),
    "ES": _profile(
        3,
        "es ca",
        "Europe/Madrid",
        "Madrid, Barcelona, Sevilla, Valencia, Bilbao, Málaga, A Coruña",
        "hispanic",
    ),
    "PT": _profile(2, "pt", "Europe/Lisbon", "Lisboa, Porto, Coimbra, Braga, Évora", "lusophone"),
    "IT": _profile(
        2, "it", "Europe/Rome", "Roma, Milano, Napoli, Bologna, Palermo, Torino", "italian"
    ),
    "DE": _profile(
        3,
        "de",
        "Europe/Berlin",
        "Berlin, Hamburg, München, Köln, Leipzig, Frankfurt am Main, Düsseldorf",
        "germanic",
    ),
    "AT": _profile(1, "de", "Europe/Vienna", "Wien, Graz, Linz", "germanic"),
    "NL": _profile(
        2, "nl en", "Europe/Amsterdam", "Amsterdam, Den Haag, Utrecht, Rotterdam", "germanic"
    ),
    "NO": _profile(1, "no en", "Europe/Oslo", "Oslo, Bergen, Trondheim", "germanic"),
    "SE": _profile(1, "sv en", "Europe/Stockholm", "Stockholm, Göteborg, Malmö", "germanic"),
    "DK": _profile(1, "da en", "Europe/Copenhagen", "København, Aarhus, Odense", "germanic"),
    "FI": _profile(1, "fi sv", "Europe/Helsinki", "Helsinki, Tampere, Turku", "germanic"),
    "PL": _profile(1, "pl", "Europe/Warsaw", "Warszawa, Kraków, Łódź, Gdańsk", "slavic"),
    "CZ": _profile(1, "cs", "Europe/Prague", "Praha, Brno, Ostrava", "slavic"),
    "RO": _profile(1, "ro", "Europe/Bucharest", "București, Cluj-Napoca, Iași", "slavic"),
    "GR": _profile(1, "el", "Europe/Athens", "Athína, Thessaloníki, Pátra", "global"),
    "JP": _profile(1, "ja", "Asia/Tokyo", "Tokyo, Osaka, Kyoto", "global"),
    "KR": _profile(1, "ko", "Asia/Seoul", "Seoul, Busan, Gwangju", "global"),
}

# Countries that are not in COUNTRIES still appear, rarely, in bulk data.
UNLISTED_COUNTRY_WEIGHT = 0.15


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(","))


# First and family names of fictional people, by where they live.
PEOPLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "east_africa": (
        _names(
            "Grace, Esther, Mercy, Faith, Joseph, Moses, Sarah, Peter, Agnes, Winnie, Brian, "
            "Juliet, Amina, Halima, Daniel, Rose"
        ),
        _names(
            "Nakato, Okello, Chebet, Achieng, Wanjiru, Mwangi, Otieno, Namusoke, Kiprotich, "
            "Nansubuga, Mutua, Odhiambo, Atim, Cherop, Musoke, Njeri"
        ),
    ),
    "horn": (
        _names("Tigist, Abebe, Selam, Dawit, Hiwot, Yonas, Meron, Bethlehem, Fatuma, Abdi, Hodan"),
        _names("Bekele, Tesfaye, Haile, Girma, Alemu, Mekonnen, Warsame, Hassan, Abdullahi"),
    ),
    "southern_africa": (
        _names(
            "Thandiwe, Sipho, Nomvula, Lindiwe, Thabo, Zanele, Mpho, Chipo, Tendai, Mwila, "
            "Chisomo, Naledi, Bongani, Nandi"
        ),
        _names(
            "Dlamini, Nkosi, Mokoena, Ndlovu, Khumalo, Banda, Phiri, Mwale, Moyo, Chikwanha, "
            "Mahlangu, Sithole, Tembo, Mabaso"
        ),
    ),
    "west_africa": (
        _names(
            "Ama, Kwame, Abena, Kofi, Efua, Yaw, Ngozi, Chinedu, Funmilayo, Aisha, Tunde, "
            "Adaeze, Ibrahim, Akosua"
        ),
        _names(
            "Mensah, Owusu, Asante, Boateng, Adeyemi, Okafor, Bello, Eze, Danso, Nwosu, "
            "Abubakar, Agyeman, Ogunleye, Amankwah"
        ),
    ),
    "francophone_africa": (
        _names(
            "Aminata, Fatou, Moussa, Mariama, Awa, Ousmane, Aïssatou, Ibrahima, Adama, "
            "Rokhaya, Jean-Baptiste, Clarisse, Kadiatou, Mamadou"
        ),
        _names(
            "Diop, Ndiaye, Sow, Traoré, Diallo, Coulibaly, Ouédraogo, Kaboré, Fall, Konaté, "
            "Mbemba, Sarr, Camara, Mukendi"
        ),
    ),
    "lusophone": (
        _names(
            "Ana, João, Maria, José, Luíza, Antônio, Fernanda, Raimunda, Tiago, Conceição, "
            "Beatriz, Joaquim, Luana, Sebastião"
        ),
        _names(
            "Silva, Santos, Oliveira, Souza, Pereira, Lima, Carvalho, Ferreira, Rodrigues, "
            "Almeida, Nascimento, Gonçalves, Macuácua, Cossa"
        ),
    ),
    "hispanic": (
        _names(
            "María, José, Rosa, Juan, Carmen, Luis, Guadalupe, Andrea, Miguel, Lucía, "
            "Xiomara, Diego, Valentina, Teresa, Esperanza, Julián"
        ),
        _names(
            "García, López, Hernández, Martínez, Quispe, Mamani, Pérez, Sánchez, Ramírez, "
            "Flores, Torres, Gómez, Castillo, Morales, Choque, Ixcoy"
        ),
    ),
    "south_asia": (
        _names(
            "Priya, Sunita, Ramesh, Anita, Lakshmi, Suresh, Kavita, Arjun, Meena, Bimala, "
            "Sita, Rajesh, Deepa, Kamala, Ganesh"
        ),
        _names(
            "Sharma, Devi, Kumar, Thapa, Gurung, Tamang, Yadav, Pariyar, Bishwakarma, Rao, "
            "Patel, Murmu, Nair, Das"
        ),
    ),
    "south_asia_muslim": (
        _names(
            "Fatema, Rahim, Nasreen, Shirin, Karim, Ayesha, Tahmina, Imran, Sadia, Rubina, "
            "Farhan, Nusrat, Zainab, Bilal"
        ),
        _names(
            "Rahman, Hossain, Ahmed, Begum, Khan, Islam, Akter, Chowdhury, Siddiqui, Malik, "
            "Baloch, Qureshi, Uddin, Haque"
        ),
    ),
    "arab": (
        _names("Fatima, Mohamed, Leila, Youssef, Amira, Karim, Salma, Omar, Nour, Hana, Rania"),
        _names("Haddad, Mansour, Khalil, Trabelsi, El Amrani, Saleh, Hamdan, Aziz, Jaziri, Farah"),
    ),
    "filipino": (
        _names("Maria, Jose, Liza, Ramon, Cristina, Ernesto, Joy, Marites, Rodel, Angelica"),
        _names("Santos, Reyes, Cruz, Bautista, Dela Cruz, Mendoza, Villanueva, Ramos, Navarro"),
    ),
    "malay": (
        _names("Siti, Budi, Dewi, Agus, Nur, Rina, Ahmad, Wati, Eko, Intan, Sri, Hendra"),
        _names(
            "Rahayu, Santoso, Wijaya, Kusuma, Hidayat, Saputra, Lestari, Nugroho, Abdullah, "
            "Ismail, Hakim, Setiawan"
        ),
    ),
    "anglo": (
        _names(
            "Sarah, James, Emma, David, Rachel, Michael, Olivia, Daniel, Hannah, Thomas, "
            "Grace, Aisha, Jasmine, Patrick"
        ),
        _names(
            "Smith, Jones, Taylor, Brown, Williams, Wilson, Evans, Thompson, Walker, Robinson, "
            "Patel, Okafor, Murphy, Campbell"
        ),
    ),
    "french": (
        _names(
            "Claire, Julien, Camille, Nicolas, Sophie, Mathieu, Élodie, Antoine, Manon, "
            "Pierre, Nadia, Lucie, Karim, Hélène"
        ),
        _names(
            "Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, "
            "Lefèvre, Fontaine, Jean-Louis, Benali"
        ),
    ),
    "germanic": (
        _names(
            "Anna, Lukas, Sophie, Jonas, Lena, Felix, Marie, Jan, Ingrid, Lars, Sanne, Pieter, "
            "Mette, Ahmet"
        ),
        _names(
            "Müller, Schmidt, Schneider, Fischer, Weber, Jansen, de Vries, van Dijk, Hansen, "
            "Johansson, Larsen, Nielsen, Yılmaz, Becker"
        ),
    ),
    "slavic": (
        _names("Anna, Piotr, Katarzyna, Tomasz, Olena, Andriy, Jana, Pavel, Ioana, Mihai, Marta"),
        _names("Nowak, Kowalczyk, Dvořák, Novák, Shevchenko, Kovalenko, Popescu, Ionescu, Horváth"),
    ),
    "italian": (
        _names("Giulia, Marco, Francesca, Luca, Chiara, Giuseppe, Elena, Andrea"),
        _names("Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci"),
    ),
}
# Everyone else: names from every pool.
PEOPLE["global"] = (
    tuple(first for firsts, _ in PEOPLE.values() for first in firsts),
    tuple(last for _, lasts in PEOPLE.values() for last in lasts),
)

ROLES = (
    "Executive Director",
    "Coordinator",
    "Chairperson",
    "Programme Officer",
    "Campaigns Lead",
    "Policy Officer",
    "General Secretary",
    "Communications Officer",
    "Treasurer",
    "Organiser",
)


def name_language(languages) -> str:
    """The interface language an organisation is best addressed in: the first of its
    languages the application speaks, else English."""
    return next((code for code in languages if code in NAME_PATTERNS), "en")


# Bulk organisation names: patterns per language and kind. {place} is a city, {people}
# a group of people, {cause} a focus area's purpose phrase ("for Tax Justice"), {virtue}
# a word to name a foundation after. Several patterns per kind make names that share
# words (a city, "Women", "Tax Justice") without being identical, which is what makes a
# directory search meaningful.
NAME_PATTERNS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "grassroots": (
            "{place} {people} Self-Help Group",
            "{people} of {place} Collective",
            "{virtue} Community Group, {place}",
        ),
        "movement": ("{place} {people} Movement", "Movement {cause}, {place}"),
        "union": ("{place} {people} Union", "Union of {people}, {place}"),
        "womens_rights": (
            "{place} Women's Rights Forum",
            "Women {cause}, {place}",
            "{place} Feminist Collective",
        ),
        "faith": ("{place} Interfaith Council {cause}", "{virtue} Faith Network, {place}"),
        "environmental": ("{place} Climate Justice Collective", "Friends of the Land, {place}"),
        "human_rights": ("{place} Human Rights Defenders", "{place} Centre for Rights {cause}"),
        "national_ngo": ("{virtue} Foundation, {place}", "{place} Forum {cause}"),
        "international_ngo": ("{virtue} International", "Global Action {cause}"),
        "network": ("{place} Network {cause}", "{place} Coalition {cause}"),
        "research": (
            "{place} Institute of Inequality Studies",
            "{place} Research Centre {cause}",
        ),
        "other": ("{place} {people} Cooperative", "{place} Community Radio"),
    },
    "fr": {
        "grassroots": ("Groupement des {people} de {place}", "Collectif {virtue} de {place}"),
        "movement": ("Mouvement des {people} de {place}", "Mouvement {cause}, {place}"),
        "union": ("Syndicat des {people} de {place}", "Union des {people}, {place}"),
        "womens_rights": ("Association des femmes de {place}", "Femmes {cause}, {place}"),
        "faith": ("Conseil interreligieux de {place} {cause}", "Réseau {virtue} de {place}"),
        "environmental": (
            "Collectif pour la justice climatique de {place}",
            "Terre et eau, {place}",
        ),
        "human_rights": ("Ligue des droits humains de {place}", "Observatoire {cause}, {place}"),
        "national_ngo": ("Fondation {virtue} de {place}", "Forum citoyen {cause}, {place}"),
        "international_ngo": ("{virtue} sans frontières", "Action mondiale {cause}"),
        "network": ("Réseau de {place} {cause}", "Coalition de {place} {cause}"),
        "research": (
            "Institut d'études sur les inégalités de {place}",
            "Centre de recherche {cause}",
        ),
        "other": ("Coopérative des {people} de {place}", "Radio communautaire de {place}"),
    },
    "es": {
        "grassroots": ("Grupo de {people} de {place}", "Colectivo {virtue} de {place}"),
        "movement": ("Movimiento de {people} de {place}", "Movimiento {cause}, {place}"),
        "union": ("Sindicato de {people} de {place}", "Unión de {people}, {place}"),
        "womens_rights": ("Asociación de Mujeres de {place}", "Mujeres {cause}, {place}"),
        "faith": ("Consejo Interreligioso de {place} {cause}", "Red {virtue} de {place}"),
        "environmental": (
            "Colectivo por la Justicia Climática de {place}",
            "Tierra y Agua, {place}",
        ),
        "human_rights": ("Comité de Derechos Humanos de {place}", "Observatorio {cause}, {place}"),
        "national_ngo": ("Fundación {virtue} de {place}", "Foro Ciudadano {cause}, {place}"),
        "international_ngo": ("{virtue} sin Fronteras", "Acción Global {cause}"),
        "network": ("Red de {place} {cause}", "Coalición de {place} {cause}"),
        "research": (
            "Instituto de Estudios sobre la Desigualdad de {place}",
            "Centro de Investigación {cause}",
        ),
        "other": ("Cooperativa de {people} de {place}", "Radio Comunitaria de {place}"),
    },
    "pt": {
        "grassroots": ("Grupo de {people} de {place}", "Coletivo {virtue} de {place}"),
        "movement": ("Movimento de {people} de {place}", "Movimento {cause}, {place}"),
        "union": ("Sindicato de {people} de {place}", "União de {people}, {place}"),
        "womens_rights": ("Associação de Mulheres de {place}", "Mulheres {cause}, {place}"),
        "faith": ("Conselho Inter-religioso de {place} {cause}", "Rede {virtue} de {place}"),
        "environmental": ("Coletivo pela Justiça Climática de {place}", "Terra e Água, {place}"),
        "human_rights": ("Comitê de Direitos Humanos de {place}", "Observatório {cause}, {place}"),
        "national_ngo": ("Fundação {virtue} de {place}", "Fórum Cidadão {cause}, {place}"),
        "international_ngo": ("{virtue} sem Fronteiras", "Ação Global {cause}"),
        "network": ("Rede de {place} {cause}", "Coalizão de {place} {cause}"),
        "research": (
            "Instituto de Estudos da Desigualdade de {place}",
            "Centro de Pesquisa {cause}",
        ),
        "other": ("Cooperativa de {people} de {place}", "Rádio Comunitária de {place}"),
    },
}

PEOPLE_GROUPS = {
    "en": (
        "Women Farmers",
        "Domestic Workers",
        "Fisherfolk",
        "Market Vendors",
        "Youth",
        "Teachers",
        "Health Workers",
        "Garment Workers",
        "Landless Peasants",
        "Informal Workers",
        "Tenants",
        "Indigenous Peoples",
    ),
    "fr": (
        "femmes rurales",
        "travailleuses domestiques",
        "pêcheurs",
        "vendeuses du marché",
        "jeunes",
        "enseignants",
        "agents de santé",
        "paysans sans terre",
        "travailleurs de l'économie informelle",
        "locataires",
    ),
    "es": (
        "Mujeres Campesinas",
        "Trabajadoras del Hogar",
        "Pescadores Artesanales",
        "Vendedoras Ambulantes",
        "Jóvenes",
        "Maestras y Maestros",
        "Trabajadores de la Salud",
        "Campesinos sin Tierra",
        "Pueblos Indígenas",
        "Inquilinos",
    ),
    "pt": (
        "Mulheres Agricultoras",
        "Trabalhadoras Domésticas",
        "Pescadores Artesanais",
        "Catadores de Recicláveis",
        "Jovens",
        "Professores",
        "Trabalhadores da Saúde",
        "Trabalhadores Sem Terra",
        "Povos Indígenas",
        "Quilombolas",
    ),
}

VIRTUES = {
    "en": (
        "Hope",
        "Unity",
        "Dignity",
        "Solidarity",
        "Ubuntu",
        "Harambee",
        "Sankofa",
        "Common Ground",
    ),
    "fr": ("Espoir", "Dignité", "Solidarité", "Égalité", "Teranga", "Horizon"),
    "es": ("Esperanza", "Dignidad", "Solidaridad", "Igualdad", "Buen Vivir", "Semilla"),
    "pt": ("Esperança", "Dignidade", "Solidariedade", "Igualdade", "Semente", "Mutirão"),
}

# The purpose phrase of each focus area, per language ("Movement for Tax Justice").
CAUSES = {
    "en": {
        "gender": "for Gender Equality",
        "race": "for Racial Justice",
        "class": "for Economic Justice",
        "caste": "against Caste Discrimination",
        "ethnicity": "for Minority Rights",
        "tax-justice": "for Tax Justice",
        "public-services": "for Public Services",
        "land": "for Land Rights",
        "climate": "for Climate Justice",
        "labour-rights": "for Decent Work",
        "civic-space": "for Civic Freedoms",
        "food-sovereignty": "for Food Sovereignty",
        "health": "for Health for All",
        "education": "for Education for All",
    },
    "fr": {
        "gender": "pour l'égalité femmes-hommes",
        "race": "contre le racisme",
        "class": "pour la justice économique",
        "caste": "contre les discriminations de caste",
        "ethnicity": "pour les droits des minorités",
        "tax-justice": "pour la justice fiscale",
        "public-services": "pour les services publics",
        "land": "pour le droit à la terre",
        "climate": "pour la justice climatique",
        "labour-rights": "pour le travail décent",
        "civic-space": "pour les libertés civiques",
        "food-sovereignty": "pour la souveraineté alimentaire",
        "health": "pour la santé pour tous",
        "education": "pour l'éducation pour tous",
    },
    "es": {
        "gender": "por la Igualdad de Género",
        "race": "contra el Racismo",
        "class": "por la Justicia Económica",
        "caste": "contra la Discriminación de Casta",
        "ethnicity": "por los Derechos de los Pueblos",
        "tax-justice": "por la Justicia Fiscal",
        "public-services": "por los Servicios Públicos",
        "land": "por el Derecho a la Tierra",
        "climate": "por la Justicia Climática",
        "labour-rights": "por el Trabajo Digno",
        "civic-space": "por las Libertades Cívicas",
        "food-sovereignty": "por la Soberanía Alimentaria",
        "health": "por la Salud para Todas y Todos",
        "education": "por la Educación Pública",
    },
    "pt": {
        "gender": "pela Igualdade de Gênero",
        "race": "contra o Racismo",
        "class": "pela Justiça Econômica",
        "caste": "contra a Discriminação de Casta",
        "ethnicity": "pelos Direitos dos Povos",
        "tax-justice": "pela Justiça Tributária",
        "public-services": "pelos Serviços Públicos",
        "land": "pelo Direito à Terra",
        "climate": "pela Justiça Climática",
        "labour-rights": "pelo Trabalho Decente",
        "civic-space": "pelas Liberdades Civis",
        "food-sovereignty": "pela Soberania Alimentar",
        "health": "pela Saúde para Todos",
        "education": "pela Educação Pública",
    },
}

# Focus areas an organisation of each kind is likelier to work on (plus one at random).
KIND_FOCUS = {
    "grassroots": ("land", "food-sovereignty", "public-services"),
    "movement": ("land", "class", "labour-rights"),
    "union": ("labour-rights", "public-services", "class"),
    "womens_rights": ("gender", "public-services", "land"),
    "faith": ("class", "public-services", "civic-space"),
    "environmental": ("climate", "land", "food-sovereignty"),
    "human_rights": ("civic-space", "race", "ethnicity", "caste"),
    "national_ngo": ("tax-justice", "public-services", "education", "health"),
    "international_ngo": ("tax-justice", "gender", "climate"),
    "network": ("tax-justice", "public-services", "civic-space"),
    "research": ("tax-justice", "class", "gender"),
    "other": ("public-services", "labour-rights", "class"),
}
