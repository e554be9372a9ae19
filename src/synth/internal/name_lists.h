// The embedded lists the generator draws from: common given and family
// names and place names, written in their own script with one Latin
// transliteration each. Invented combinations of common names; not taken
// from any data set of people.
#ifndef KINLINK_SYNTH_INTERNAL_NAME_LISTS_H_
#define KINLINK_SYNTH_INTERNAL_NAME_LISTS_H_

#include <string_view>

namespace kinlink::synth::internal {

struct Name {
  std::string_view native;
  std::string_view latin;
};

// An East Slavic given name with the patronymics it gives to a son and a
// daughter.
struct SlavicMale {
  Name name;
  Name son;       // Іванович
  Name daughter;  // Іванівна
};

// A family name with its masculine and feminine forms (equal when the name
// does not inflect, as in Ukrainian -enko).
struct FamilyName {
  Name male;
  Name female;
};

struct Place {
  Name city;
  Name country;
  std::string_view dial;  // country calling code
};

inline constexpr Name kArabicMale[] = {
    {"محمد", "Mohammed"},    {"أحمد", "Ahmad"},      {"عمر", "Omar"},   {"خالد", "Khaled"},
    {"يوسف", "Youssef"},     {"إبراهيم", "Ibrahim"}, {"حسن", "Hassan"}, {"حسين", "Hussein"},
    {"علي", "Ali"},          {"مصطفى", "Mustafa"},   {"سمير", "Samir"}, {"طارق", "Tariq"},
    {"كريم", "Karim"},       {"فيصل", "Faisal"},     {"بلال", "Bilal"}, {"حمزة", "Hamza"},
    {"عبدالله", "Abdullah"}, {"جمال", "Jamal"},      {"نبيل", "Nabil"}, {"وليد", "Walid"},
    {"سامي", "Sami"},        {"ماهر", "Maher"},      {"زياد", "Ziad"},  {"عادل", "Adel"},
    {"ياسر", "Yasser"},      {"محمود", "Mahmoud"},   {"سليم", "Salim"}, {"رامي", "Rami"},
};

inline constexpr Name kArabicFemale[] = {
    {"فاطمة", "Fatima"}, {"عائشة", "Aisha"}, {"مريم", "Mariam"},   {"ليلى", "Layla"},
    {"نور", "Noor"},     {"هدى", "Huda"},    {"آمنة", "Amina"},    {"زينب", "Zainab"},
    {"رانيا", "Rania"},  {"سلمى", "Salma"},  {"ياسمين", "Yasmin"}, {"هناء", "Hanaa"},
    {"سميرة", "Samira"}, {"رشا", "Rasha"},   {"سعاد", "Suad"},     {"منى", "Mona"},
    {"أمل", "Amal"},     {"نادية", "Nadia"}, {"سناء", "Sanaa"},    {"رحاب", "Rehab"},
    {"لينا", "Lina"},    {"دعاء", "Doaa"},   {"خديجة", "Khadija"}, {"إيمان", "Iman"},
};

inline constexpr FamilyName kArabicFamily[] = {
    {{"الحسن", "Al-Hassan"}, {"الحسن", "Al-Hassan"}},
    {{"حداد", "Haddad"}, {"حداد", "Haddad"}},
    {{"خليل", "Khalil"}, {"خليل", "Khalil"}},
    {{"منصور", "Mansour"}, {"منصور", "Mansour"}},
    {{"ناصر", "Nasser"}, {"ناصر", "Nasser"}},
    {{"صالح", "Saleh"}, {"صالح", "Saleh"}},
    {{"حمدان", "Hamdan"}, {"حمدان", "Hamdan"}},
    {{"عباس", "Abbas"}, {"عباس", "Abbas"}},
    {{"درويش", "Darwish"}, {"درويش", "Darwish"}},
    {{"قاسم", "Qasim"}, {"قاسم", "Qasim"}},
    {{"سليمان", "Suleiman"}, {"سليمان", "Suleiman"}},
    {{"بركات", "Barakat"}, {"بركات", "Barakat"}},
    {{"جابر", "Jaber"}, {"جابر", "Jaber"}},
    {{"عوض", "Awad"}, {"عوض", "Awad"}},
    {{"الأحمد", "Al-Ahmad"}, {"الأحمد", "Al-Ahmad"}},
    {{"العلي", "Al-Ali"}, {"العلي", "Al-Ali"}},
    {{"الخطيب", "Al-Khatib"}, {"الخطيب", "Al-Khatib"}},
    {{"النجار", "Al-Najjar"}, {"النجار", "Al-Najjar"}},
    {{"الشامي", "Al-Shami"}, {"الشامي", "Al-Shami"}},
    {{"الحلبي", "Al-Halabi"}, {"الحلبي", "Al-Halabi"}},
    {{"المصري", "Al-Masri"}, {"المصري", "Al-Masri"}},
    {{"البغدادي", "Al-Baghdadi"}, {"البغدادي", "Al-Baghdadi"}},
    {{"عثمان", "Osman"}, {"عثمان", "Osman"}},
    {{"إدريس", "Idris"}, {"إدريس", "Idris"}},
    {{"الزين", "Al-Zein"}, {"الزين", "Al-Zein"}},
    {{"يونس", "Younes"}, {"يونس", "Younes"}},
};

inline constexpr SlavicMale kSlavicMale[] = {
    {{"Іван", "Ivan"}, {"Іванович", "Ivanovych"}, {"Іванівна", "Ivanivna"}},
    {{"Петро", "Petro"}, {"Петрович", "Petrovych"}, {"Петрівна", "Petrivna"}},
    {{"Андрій", "Andrii"}, {"Андрійович", "Andriiovych"}, {"Андріївна", "Andriivna"}},
    {{"Олександр", "Oleksandr"},
     {"Олександрович", "Oleksandrovych"},
     {"Олександрівна", "Oleksandrivna"}},
    {{"Микола", "Mykola"}, {"Миколайович", "Mykolaiovych"}, {"Миколаївна", "Mykolaivna"}},
    {{"Василь", "Vasyl"}, {"Васильович", "Vasylovych"}, {"Василівна", "Vasylivna"}},
    {{"Дмитро", "Dmytro"}, {"Дмитрович", "Dmytrovych"}, {"Дмитрівна", "Dmytrivna"}},
    {{"Сергій", "Serhii"}, {"Сергійович", "Serhiiovych"}, {"Сергіївна", "Serhiivna"}},
    {{"Юрій", "Yurii"}, {"Юрійович", "Yuriiovych"}, {"Юріївна", "Yuriivna"}},
    {{"Богдан", "Bohdan"}, {"Богданович", "Bohdanovych"}, {"Богданівна", "Bohdanivna"}},
    {{"Тарас", "Taras"}, {"Тарасович", "Tarasovych"}, {"Тарасівна", "Tarasivna"}},
    {{"Олег", "Oleh"}, {"Олегович", "Olehovych"}, {"Олегівна", "Olehivna"}},
    {{"Віктор", "Viktor"}, {"Вікторович", "Viktorovych"}, {"Вікторівна", "Viktorivna"}},
    {{"Михайло", "Mykhailo"}, {"Михайлович", "Mykhailovych"}, {"Михайлівна", "Mykhailivna"}},
    {{"Роман", "Roman"}, {"Романович", "Romanovych"}, {"Романівна", "Romanivna"}},
    {{"Алексей", "Aleksey"}, {"Алексеевич", "Alekseyevich"}, {"Алексеевна", "Alekseyevna"}},
    {{"Владимир", "Vladimir"}, {"Владимирович", "Vladimirovich"}, {"Владимировна", "Vladimirovna"}},
    {{"Михаил", "Mikhail"}, {"Михайлович", "Mikhailovich"}, {"Михайловна", "Mikhailovna"}},
    {{"Николай", "Nikolai"}, {"Николаевич", "Nikolaevich"}, {"Николаевна", "Nikolaevna"}},
    {{"Сергей", "Sergei"}, {"Сергеевич", "Sergeevich"}, {"Сергеевна", "Sergeevna"}},
    {{"Павел", "Pavel"}, {"Павлович", "Pavlovich"}, {"Павловна", "Pavlovna"}},
    {{"Игорь", "Igor"}, {"Игоревич", "Igorevich"}, {"Игоревна", "Igorevna"}},
    {{"Дмитрий", "Dmitry"}, {"Дмитриевич", "Dmitrievich"}, {"Дмитриевна", "Dmitrievna"}},
    {{"Евгений", "Evgeny"}, {"Евгеньевич", "Evgenyevich"}, {"Евгеньевна", "Evgenyevna"}},
    {{"Андрей", "Andrei"}, {"Андреевич", "Andreevich"}, {"Андреевна", "Andreevna"}},
};

inline constexpr Name kSlavicFemale[] = {
    {"Олена", "Olena"},       {"Ірина", "Iryna"},         {"Наталія", "Nataliia"},
    {"Оксана", "Oksana"},     {"Тетяна", "Tetiana"},      {"Марія", "Mariia"},
    {"Ганна", "Hanna"},       {"Юлія", "Yuliia"},         {"Катерина", "Kateryna"},
    {"Світлана", "Svitlana"}, {"Людмила", "Liudmyla"},    {"Галина", "Halyna"},
    {"Софія", "Sofiia"},      {"Вікторія", "Viktoriia"},  {"Анна", "Anna"},
    {"Ольга", "Olga"},        {"Елена", "Elena"},         {"Татьяна", "Tatiana"},
    {"Наталья", "Natalya"},   {"Екатерина", "Ekaterina"}, {"Светлана", "Svetlana"},
    {"Ирина", "Irina"},       {"Дарья", "Darya"},         {"Юлия", "Yulia"},
};

inline constexpr FamilyName kSlavicFamily[] = {
    {{"Шевченко", "Shevchenko"}, {"Шевченко", "Shevchenko"}},
    {{"Коваленко", "Kovalenko"}, {"Коваленко", "Kovalenko"}},
    {{"Бондаренко", "Bondarenko"}, {"Бондаренко", "Bondarenko"}},
    {{"Ткаченко", "Tkachenko"}, {"Ткаченко", "Tkachenko"}},
    {{"Кравченко", "Kravchenko"}, {"Кравченко", "Kravchenko"}},
    {{"Олійник", "Oliinyk"}, {"Олійник", "Oliinyk"}},
    {{"Мельник", "Melnyk"}, {"Мельник", "Melnyk"}},
    {{"Бойко", "Boiko"}, {"Бойко", "Boiko"}},
    {{"Ковальчук", "Kovalchuk"}, {"Ковальчук", "Kovalchuk"}},
    {{"Лисенко", "Lysenko"}, {"Лисенко", "Lysenko"}},
    {{"Савченко", "Savchenko"}, {"Савченко", "Savchenko"}},
    {{"Руденко", "Rudenko"}, {"Руденко", "Rudenko"}},
    {{"Марченко", "Marchenko"}, {"Марченко", "Marchenko"}},
    {{"Поліщук", "Polishchuk"}, {"Поліщук", "Polishchuk"}},
    {{"Іваненко", "Ivanenko"}, {"Іваненко", "Ivanenko"}},
    {{"Ковальський", "Kovalskyi"}, {"Ковальська", "Kovalska"}},
    {{"Савицький", "Savytskyi"}, {"Савицька", "Savytska"}},
    {{"Иванов", "Ivanov"}, {"Иванова", "Ivanova"}},
    {{"Петров", "Petrov"}, {"Петрова", "Petrova"}},
    {{"Смирнов", "Smirnov"}, {"Смирнова", "Smirnova"}},
    {{"Кузнецов", "Kuznetsov"}, {"Кузнецова", "Kuznetsova"}},
    {{"Попов", "Popov"}, {"Попова", "Popova"}},
    {{"Соколов", "Sokolov"}, {"Соколова", "Sokolova"}},
    {{"Волков", "Volkov"}, {"Волкова", "Volkova"}},
    {{"Морозов", "Morozov"}, {"Морозова", "Morozova"}},
    {{"Новиков", "Novikov"}, {"Новикова", "Novikova"}},
};

inline constexpr Name kEthiopianMale[] = {
    {"ተስፋዬ", "Tesfaye"},  {"ዳዊት", "Dawit"},   {"አበበ", "Abebe"},   {"ሙሉጌታ", "Mulugeta"},
    {"ዮሐንስ", "Yohannes"}, {"ኃይሌ", "Haile"},   {"ግርማ", "Girma"},   {"በቀለ", "Bekele"},
    {"ከበደ", "Kebede"},    {"ታደሰ", "Tadesse"}, {"አለሙ", "Alemu"},   {"ሰለሞን", "Solomon"},
    {"ብርሃኑ", "Birhanu"},  {"ገብሬ", "Gebre"},   {"ተክሌ", "Tekle"},   {"መስፍን", "Mesfin"},
    {"ዘውዱ", "Zewdu"},     {"ፍቅሩ", "Fikru"},   {"ደረጀ", "Dereje"},  {"ሀብታሙ", "Habtamu"},
    {"ኤርሚያስ", "Ermias"},  {"ሳሙኤል", "Samuel"}, {"ዳንኤል", "Daniel"}, {"ይልማ", "Yilma"},
    {"ጌታቸው", "Getachew"},
};

inline constexpr Name kEthiopianFemale[] = {
    {"መቅደስ", "Mekdes"},   {"ትዕግስት", "Tigist"},   {"ሰላም", "Selam"},      {"ሕይወት", "Hiwot"},
    {"ማርታ", "Marta"},     {"ብርቱካን", "Birtukan"}, {"አልማዝ", "Almaz"},     {"ፀሐይ", "Tsehay"},
    {"ሄለን", "Helen"},     {"ራሔል", "Rahel"},      {"ቤተልሔም", "Betelhem"}, {"ፋሲካ", "Fasika"},
    {"ሰብለ", "Seble"},     {"የሺ", "Yeshi"},       {"ወይንሸት", "Weynshet"}, {"ሳራ", "Sara"},
    {"ሩት", "Ruth"},       {"ልያ", "Lia"},         {"ትርሐስ", "Tirhas"},    {"አስቴር", "Aster"},
    {"ዘነበች", "Zenebech"}, {"መሰረት", "Meseret"},
};

inline constexpr Place kArabicPlaces[] = {
    {{"حلب", "Aleppo"}, {"سوريا", "Syria"}, "+963"},
    {{"حمص", "Homs"}, {"سوريا", "Syria"}, "+963"},
    {{"دمشق", "Damascus"}, {"سوريا", "Syria"}, "+963"},
    {{"إدلب", "Idlib"}, {"سوريا", "Syria"}, "+963"},
    {{"درعا", "Daraa"}, {"سوريا", "Syria"}, "+963"},
    {{"الرقة", "Raqqa"}, {"سوريا", "Syria"}, "+963"},
    {{"الموصل", "Mosul"}, {"العراق", "Iraq"}, "+964"},
    {{"بغداد", "Baghdad"}, {"العراق", "Iraq"}, "+964"},
    {{"البصرة", "Basra"}, {"العراق", "Iraq"}, "+964"},
    {{"الخرطوم", "Khartoum"}, {"السودان", "Sudan"}, "+249"},
    {{"الفاشر", "El Fasher"}, {"السودان", "Sudan"}, "+249"},
    {{"نيالا", "Nyala"}, {"السودان", "Sudan"}, "+249"},
    {{"صنعاء", "Sanaa"}, {"اليمن", "Yemen"}, "+967"},
    {{"تعز", "Taiz"}, {"اليمن", "Yemen"}, "+967"},
    {{"غزة", "Gaza"}, {"فلسطين", "Palestine"}, "+970"},
    {{"طرابلس", "Tripoli"}, {"ليبيا", "Libya"}, "+218"},
};

inline constexpr Place kSlavicPlaces[] = {
    {{"Харків", "Kharkiv"}, {"Україна", "Ukraine"}, "+380"},
    {{"Маріуполь", "Mariupol"}, {"Україна", "Ukraine"}, "+380"},
    {{"Херсон", "Kherson"}, {"Україна", "Ukraine"}, "+380"},
    {{"Київ", "Kyiv"}, {"Україна", "Ukraine"}, "+380"},
    {{"Бахмут", "Bakhmut"}, {"Україна", "Ukraine"}, "+380"},
    {{"Запоріжжя", "Zaporizhzhia"}, {"Україна", "Ukraine"}, "+380"},
    {{"Миколаїв", "Mykolaiv"}, {"Україна", "Ukraine"}, "+380"},
    {{"Донецьк", "Donetsk"}, {"Україна", "Ukraine"}, "+380"},
    {{"Чернігів", "Chernihiv"}, {"Україна", "Ukraine"}, "+380"},
    {{"Суми", "Sumy"}, {"Україна", "Ukraine"}, "+380"},
    {{"Ізюм", "Izium"}, {"Україна", "Ukraine"}, "+380"},
    {{"Одеса", "Odesa"}, {"Україна", "Ukraine"}, "+380"},
};

inline constexpr Place kEthiopianPlaces[] = {
    {{"መቀሌ", "Mekelle"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ጎንደር", "Gondar"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"አዲስ አበባ", "Addis Ababa"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ባሕር ዳር", "Bahir Dar"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ደሴ", "Dessie"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"አክሱም", "Axum"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ሽሬ", "Shire"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"አዳማ", "Adama"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ሁመራ", "Humera"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ዓድዋ", "Adwa"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
};

// Free-text notes, some over two lines: in English for any record, and in
// the language of the names for records written in their own script.
inline constexpr std::string_view kEnglishNotes[] = {
    "Last seen at the bus station.",
    "Has a scar on the left hand.",
    "Wears glasses.",
    "Separated from the family at the border crossing.",
    "Was travelling with two children.\nSpeaks Arabic and English.",
    "Arrived by boat; registered at the transit centre.",
    "Needs daily medication.",
    "Worked as a nurse.\nMay have moved to a relative's house.",
};
inline constexpr std::string_view kArabicNotes[] = {
    "شوهد آخر مرة في محطة الحافلات.",
    "كان يعمل في مخبز.",
};
inline constexpr std::string_view kSlavicNotes[] = {
    "Працювала вчителькою.",
    "Евакуйовані автобусом.\nМожливо, у родичів.",
};
inline constexpr std::string_view kEthiopianNotes[] = {
    "መምህር ነው።",
};

// Who is looking, for tracing requests. `sex`: 'f', 'm' or 0 for either;
// `kin`: the enquirer carries the sought person's family name.
struct Relationship {
  std::string_view name;
  char sex;
  bool kin;
};

inline constexpr Relationship kRelationships[] = {
    {"mother", 'f', true},      {"father", 'm', true},   {"sister", 'f', true},
    {"brother", 'm', true},     {"daughter", 'f', true}, {"son", 'm', true},
    {"wife", 'f', false},       {"husband", 'm', false}, {"aunt", 'f', false},
    {"uncle", 'm', true},       {"cousin", 0, true},     {"grandmother", 'f', false},
    {"grandfather", 'm', true}, {"friend", 0, false},    {"neighbour", 0, false},
};

}  // namespace kinlink::synth::internal

#endif  // KINLINK_SYNTH_INTERNAL_NAME_LISTS_H_
