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
    {{"حماة", "Hama"}, {"سوريا", "Syria"}, "+963"},
    {{"اللاذقية", "Latakia"}, {"سوريا", "Syria"}, "+963"},
    {{"طرطوس", "Tartus"}, {"سوريا", "Syria"}, "+963"},
    {{"دير الزور", "Deir ez-Zor"}, {"سوريا", "Syria"}, "+963"},
    {{"الحسكة", "Al-Hasakah"}, {"سوريا", "Syria"}, "+963"},
    {{"القامشلي", "Qamishli"}, {"سوريا", "Syria"}, "+963"},
    {{"أربيل", "Erbil"}, {"العراق", "Iraq"}, "+964"},
    {{"كركوك", "Kirkuk"}, {"العراق", "Iraq"}, "+964"},
    {{"النجف", "Najaf"}, {"العراق", "Iraq"}, "+964"},
    {{"كربلاء", "Karbala"}, {"العراق", "Iraq"}, "+964"},
    {{"الفلوجة", "Fallujah"}, {"العراق", "Iraq"}, "+964"},
    {{"الرمادي", "Ramadi"}, {"العراق", "Iraq"}, "+964"},
    {{"تكريت", "Tikrit"}, {"العراق", "Iraq"}, "+964"},
    {{"السليمانية", "Sulaymaniyah"}, {"العراق", "Iraq"}, "+964"},
    {{"دهوك", "Duhok"}, {"العراق", "Iraq"}, "+964"},
    {{"بورتسودان", "Port Sudan"}, {"السودان", "Sudan"}, "+249"},
    {{"كسلا", "Kassala"}, {"السودان", "Sudan"}, "+249"},
    {{"الأبيض", "El Obeid"}, {"السودان", "Sudan"}, "+249"},
    {{"الجنينة", "El Geneina"}, {"السودان", "Sudan"}, "+249"},
    {{"ود مدني", "Wad Madani"}, {"السودان", "Sudan"}, "+249"},
    {{"أم درمان", "Omdurman"}, {"السودان", "Sudan"}, "+249"},
    {{"عدن", "Aden"}, {"اليمن", "Yemen"}, "+967"},
    {{"الحديدة", "Hodeidah"}, {"اليمن", "Yemen"}, "+967"},
    {{"مأرب", "Marib"}, {"اليمن", "Yemen"}, "+967"},
    {{"إب", "Ibb"}, {"اليمن", "Yemen"}, "+967"},
    {{"المكلا", "Mukalla"}, {"اليمن", "Yemen"}, "+967"},
    {{"خان يونس", "Khan Yunis"}, {"فلسطين", "Palestine"}, "+970"},
    {{"رفح", "Rafah"}, {"فلسطين", "Palestine"}, "+970"},
    {{"دير البلح", "Deir al-Balah"}, {"فلسطين", "Palestine"}, "+970"},
    {{"بنغازي", "Benghazi"}, {"ليبيا", "Libya"}, "+218"},
    {{"مصراتة", "Misrata"}, {"ليبيا", "Libya"}, "+218"},
    {{"سرت", "Sirte"}, {"ليبيا", "Libya"}, "+218"},
    {{"درنة", "Derna"}, {"ليبيا", "Libya"}, "+218"},
    {{"سبها", "Sabha"}, {"ليبيا", "Libya"}, "+218"},
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
    {{"Одеса", "Odesa"}, {"Україна", "Ukraine"}, "+380"},    {{"Львів", "Lviv"}, {"Україна", "Ukraine"}, "+380"},
    {{"Дніпро", "Dnipro"}, {"Україна", "Ukraine"}, "+380"},
    {{"Полтава", "Poltava"}, {"Україна", "Ukraine"}, "+380"},
    {{"Вінниця", "Vinnytsia"}, {"Україна", "Ukraine"}, "+380"},
    {{"Житомир", "Zhytomyr"}, {"Україна", "Ukraine"}, "+380"},
    {{"Рівне", "Rivne"}, {"Україна", "Ukraine"}, "+380"},
    {{"Луцьк", "Lutsk"}, {"Україна", "Ukraine"}, "+380"},
    {{"Тернопіль", "Ternopil"}, {"Україна", "Ukraine"}, "+380"},
    {{"Ужгород", "Uzhhorod"}, {"Україна", "Ukraine"}, "+380"},
    {{"Чернівці", "Chernivtsi"}, {"Україна", "Ukraine"}, "+380"},
    {{"Черкаси", "Cherkasy"}, {"Україна", "Ukraine"}, "+380"},
    {{"Краматорськ", "Kramatorsk"}, {"Україна", "Ukraine"}, "+380"},
    {{"Мелітополь", "Melitopol"}, {"Україна", "Ukraine"}, "+380"},
    {{"Бердянськ", "Berdiansk"}, {"Україна", "Ukraine"}, "+380"},
    {{"Нікополь", "Nikopol"}, {"Україна", "Ukraine"}, "+380"},
    {{"Кривий Ріг", "Kryvyi Rih"}, {"Україна", "Ukraine"}, "+380"},
    {{"Буча", "Bucha"}, {"Україна", "Ukraine"}, "+380"},
    {{"Ірпінь", "Irpin"}, {"Україна", "Ukraine"}, "+380"},
    {{"Енергодар", "Enerhodar"}, {"Україна", "Ukraine"}, "+380"},
    {{"Лисичанськ", "Lysychansk"}, {"Україна", "Ukraine"}, "+380"},
    {{"Сєвєродонецьк", "Sievierodonetsk"}, {"Україна", "Ukraine"}, "+380"},
    {{"Кременчук", "Kremenchuk"}, {"Україна", "Ukraine"}, "+380"},
    {{"Ізмаїл", "Izmail"}, {"Україна", "Ukraine"}, "+380"},
    {{"Покровськ", "Pokrovsk"}, {"Україна", "Ukraine"}, "+380"},
    {{"Костянтинівка", "Kostiantynivka"}, {"Україна", "Ukraine"}, "+380"},
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
    {{"ዓድዋ", "Adwa"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},    {{"ሀዋሳ", "Hawassa"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ጅማ", "Jimma"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ድሬ ዳዋ", "Dire Dawa"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ሐረር", "Harar"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ዓዲግራት", "Adigrat"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ደብረ ማርቆስ", "Debre Markos"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ደብረ ብርሃን", "Debre Birhan"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ወልዲያ", "Woldia"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ላሊበላ", "Lalibela"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ነቀምቴ", "Nekemte"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"አርባ ምንጭ", "Arba Minch"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ጅጅጋ", "Jijiga"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ቢሾፍቱ", "Bishoftu"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ሶዶ", "Sodo"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ዲላ", "Dilla"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ጋምቤላ", "Gambela"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"አሶሳ", "Asosa"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ሰመራ", "Semera"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ኮምቦልቻ", "Kombolcha"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"አላማጣ", "Alamata"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ማይጨው", "Maychew"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ውቅሮ", "Wukro"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
    {{"ሰቆጣ", "Sekota"}, {"ኢትዮጵያ", "Ethiopia"}, "+251"},
};

// Building blocks from which name_tables.cc composes the bulk of the
// names: a few hundred common parts give tens of thousands of plausible
// names, so that different invented people rarely share a name and birth
// year (as in real registries, where family names are many). The composed
// tables follow the hand-written lists above.

// More Arabic given names, and the parts of compounds: "Abd" + one of the
// divine names (عبدالرحمن, Abdulrahman) and a root + "al-Din"
// (نورالدين, Nouraldin).
inline constexpr Name kArabicMaleMore[] = {
    {"عمار", "Ammar"},     {"أنس", "Anas"},       {"أسامة", "Osama"},     {"باسل", "Basel"},
    {"بسام", "Bassam"},    {"جهاد", "Jihad"},     {"حسام", "Hussam"},     {"حازم", "Hazem"},
    {"رائد", "Raed"},      {"رضا", "Reda"},       {"زكريا", "Zakaria"},   {"سعيد", "Saeed"},
    {"سلمان", "Salman"},   {"شادي", "Shadi"},     {"صلاح", "Salah"},      {"طلال", "Talal"},
    {"عصام", "Issam"},     {"عماد", "Imad"},      {"عمرو", "Amr"},        {"غسان", "Ghassan"},
    {"فادي", "Fadi"},      {"فراس", "Firas"},     {"فؤاد", "Fouad"},      {"قيس", "Qais"},
    {"لؤي", "Louay"},      {"مازن", "Mazen"},     {"مجد", "Majd"},        {"مراد", "Murad"},
    {"معاذ", "Muath"},     {"منير", "Munir"},     {"مهند", "Muhannad"},   {"نزار", "Nizar"},
    {"هاني", "Hani"},      {"هشام", "Hisham"},    {"وائل", "Wael"},       {"يحيى", "Yahya"},
    {"إسماعيل", "Ismail"}, {"أيمن", "Ayman"},     {"بشير", "Bashir"},     {"جميل", "Jamil"},
    {"رشيد", "Rashid"},    {"سامر", "Samer"},     {"شريف", "Sharif"},     {"عاصم", "Asem"},
    {"عدنان", "Adnan"},    {"كمال", "Kamal"},     {"ناجي", "Naji"},       {"نضال", "Nidal"},
    {"هيثم", "Haitham"},   {"ياسين", "Yassin"},   {"أنور", "Anwar"},      {"منذر", "Munther"},
    {"حاتم", "Hatem"},     {"راشد", "Rashed"},    {"سفيان", "Sufyan"},    {"مالك", "Malek"},
    {"نصر", "Nasr"},       {"عزيز", "Aziz"},      {"فارس", "Fares"},      {"حبيب", "Habib"},
    {"بدر", "Badr"},       {"عامر", "Amer"},      {"غانم", "Ghanem"},     {"هاشم", "Hashem"},
    {"سالم", "Salem"},     {"زيد", "Zeid"},       {"سعد", "Saad"},        {"بكر", "Bakr"},
    {"داود", "Daoud"},     {"موسى", "Musa"},      {"عيسى", "Issa"},       {"نعيم", "Naim"},
};
inline constexpr Name kArabicAbdTails[] = {
    {"الرحمن", "rahman"}, {"الرحيم", "rahim"},  {"الكريم", "karim"},  {"العزيز", "aziz"},
    {"القادر", "qader"},  {"الحميد", "hamid"},  {"المجيد", "majid"},  {"اللطيف", "latif"},
    {"السلام", "salam"},  {"الهادي", "hadi"},   {"الرزاق", "razzaq"}, {"الغني", "ghani"},
    {"الحكيم", "hakim"},  {"الباسط", "basit"},  {"الجليل", "jalil"},  {"الوهاب", "wahab"},
    {"الفتاح", "fattah"}, {"الستار", "sattar"}, {"المنعم", "monem"},  {"الناصر", "nasser"},
};
inline constexpr Name kArabicDinRoots[] = {
    {"نور", "Nour"},  {"صلاح", "Salah"}, {"عز", "Izz"},    {"علاء", "Alaa"},
    {"بهاء", "Bahaa"}, {"شمس", "Shams"}, {"سيف", "Saif"},  {"خير", "Khair"},
    {"زين", "Zein"},  {"جمال", "Jamal"}, {"فخر", "Fakhr"}, {"عماد", "Imad"},
};

inline constexpr Name kArabicFemaleMore[] = {
    {"آلاء", "Alaa"},      {"أسماء", "Asmaa"},    {"بشرى", "Bushra"},    {"تسنيم", "Tasneem"},
    {"جميلة", "Jamila"},   {"حنان", "Hanan"},     {"دانة", "Dana"},      {"ديما", "Dima"},
    {"رغد", "Raghad"},     {"رنا", "Rana"},       {"رهف", "Rahaf"},      {"روان", "Rawan"},
    {"ريم", "Reem"},       {"زهرة", "Zahra"},     {"سارة", "Sara"},      {"سحر", "Sahar"},
    {"سوسن", "Sawsan"},    {"شيماء", "Shaimaa"},  {"صفاء", "Safaa"},     {"عبير", "Abeer"},
    {"علا", "Ola"},        {"غادة", "Ghada"},     {"فرح", "Farah"},      {"كوثر", "Kawthar"},
    {"لمى", "Lama"},       {"ماجدة", "Majeda"},   {"مها", "Maha"},       {"ميساء", "Maysaa"},
    {"نجلاء", "Najlaa"},   {"نسرين", "Nisreen"},  {"نهى", "Noha"},       {"هبة", "Heba"},
    {"هالة", "Hala"},      {"وفاء", "Wafaa"},     {"ولاء", "Walaa"},     {"يارا", "Yara"},
    {"إسراء", "Israa"},    {"بتول", "Batoul"},    {"جنى", "Jana"},       {"حياة", "Hayat"},
    {"رقية", "Ruqayya"},   {"سهام", "Siham"},     {"عفاف", "Afaf"},      {"لبنى", "Lubna"},
    {"نوال", "Nawal"},     {"هيفاء", "Haifaa"},   {"ثريا", "Thuraya"},   {"رزان", "Razan"},
    {"تالا", "Tala"},      {"غدير", "Ghadeer"},   {"إسلام", "Islam"},    {"بيان", "Bayan"},
    {"جود", "Joud"},       {"دلال", "Dalal"},     {"سمية", "Sumaya"},    {"شهد", "Shahd"},
    {"عبلة", "Abla"},      {"فدوى", "Fadwa"},     {"ميار", "Mayar"},     {"نجوى", "Najwa"},
};

// Roots of Arabic family names, taken plain (Haddad), with the article
// (Al-Haddad; El-Haddad is another Latin spelling of the same Arabic) and
// with the nisba ending -i (Haddadi, Al-Haddadi) where the root ends in a
// consonant. The male given names serve as roots too (Khalil, Al-Khalili).
inline constexpr Name kArabicFamilyRoots[] = {
    {"حداد", "Haddad"},  {"نجار", "Najjar"},   {"خطيب", "Khatib"},   {"خياط", "Khayyat"},
    {"عطار", "Attar"},   {"صباغ", "Sabbagh"},  {"طحان", "Tahhan"},   {"حلاق", "Hallaq"},
    {"جزار", "Jazzar"},  {"دباغ", "Dabbagh"},  {"قصاب", "Qassab"},   {"بيطار", "Bitar"},
    {"صراف", "Sarraf"},  {"زيات", "Zayyat"},   {"سمان", "Samman"},   {"خباز", "Khabbaz"},
    {"كحال", "Kahhal"},  {"نحاس", "Nahhas"},   {"حجار", "Hajjar"},   {"كيال", "Kayyal"},
    {"دقاق", "Daqqaq"},  {"رحال", "Rahhal"},   {"حلو", "Helou"},     {"أسمر", "Asmar"},
    {"طويل", "Tawil"},   {"صغير", "Saghir"},   {"كبير", "Kabir"},    {"أشقر", "Ashqar"},
    {"أحمر", "Ahmar"},   {"أزرق", "Azraq"},    {"سلطان", "Sultan"},  {"شاهين", "Shaheen"},
    {"صقر", "Saqr"},     {"نمر", "Nimer"},     {"أسعد", "Asaad"},    {"رزق", "Rizk"},
    {"عيد", "Eid"},      {"عزام", "Azzam"},    {"نوفل", "Nofal"},    {"مبارك", "Mubarak"},
    {"ناصيف", "Nassif"}, {"حمد", "Hamad"},     {"خليل", "Khalil"},   {"منصور", "Mansour"},
    {"ناصر", "Nasser"},  {"صالح", "Saleh"},    {"حمدان", "Hamdan"},  {"عباس", "Abbas"},
    {"درويش", "Darwish"}, {"قاسم", "Qasim"},   {"سليمان", "Suleiman"}, {"بركات", "Barakat"},
    {"جابر", "Jaber"},   {"عوض", "Awad"},      {"عثمان", "Osman"},   {"إدريس", "Idris"},
    {"زين", "Zein"},     {"يونس", "Younes"},   {"شيخ", "Sheikh"},    {"جندي", "Jundi"},
    {"قاضي", "Qadi"},    {"حكيم", "Hakim"},    {"أمين", "Amin"},     {"عريض", "Arid"},
    {"ريس", "Rayes"},    {"حاج", "Hajj"},      {"جبار", "Jabbar"},   {"مختار", "Mukhtar"},
};
// Roots taken only with the nisba (Al-Shami, Halabi): places and tribes.
inline constexpr Name kArabicNisbaRoots[] = {
    {"شام", "Sham"},     {"حلب", "Halab"},     {"مصر", "Masr"},      {"بغداد", "Baghdad"},
    {"حمص", "Homs"},     {"موصل", "Mosul"},    {"بصر", "Basr"},      {"تكريت", "Tikrit"},
    {"حوران", "Hawran"}, {"سودان", "Sudan"},   {"يمن", "Yaman"},     {"قدس", "Quds"},
    {"نابلس", "Nablus"}, {"حجاز", "Hijaz"},    {"عراق", "Iraq"},     {"مغرب", "Maghrib"},
    {"تونس", "Tunis"},   {"كرد", "Kurd"},      {"إدلب", "Idlib"},    {"أنبار", "Anbar"},
    {"نجف", "Najaf"},    {"شمر", "Shammar"},   {"عنز", "Anaz"},      {"تميم", "Tamim"},
    {"قحطان", "Qahtan"}, {"عتيب", "Otaib"},    {"دوسر", "Dosar"},    {"زهران", "Zahran"},
    {"غامد", "Ghamd"},   {"شهر", "Shehr"},     {"حرب", "Harb"},      {"مطير", "Mutair"},
    {"عجم", "Ajam"},     {"جبور", "Jabbour"},  {"عبيد", "Obeid"},    {"زبيد", "Zubaid"},
};

// More Ukrainian given names, in Cyrillic only: name_tables.cc writes the
// Latin form by the Ukrainian national transliteration and derives the
// patronymics by the regular rules (Антон: Антонович, Антонівна).
inline constexpr std::string_view kSlavicMaleMore[] = {
    "Антон",   "Артем",    "Борис",   "Валентин", "Валерій",  "Вадим",     "Віталій",
    "Володимир", "Всеволод", "Геннадій", "Григорій", "Денис",   "Євген",     "Захар",
    "Зіновій", "Ігор",     "Кирило",  "Костянтин", "Леонід", "Максим",    "Назар",
    "Олексій", "Остап",    "Павло",   "Руслан",   "Степан",   "Тимофій",   "Юліан",
    "Анатолій", "Аркадій", "Арсен",   "Гліб",     "Данило",   "Левко",     "Марко",
    "Матвій",  "Мирон",    "Никифор", "Орест",    "Пилип",    "Платон",    "Семен",
    "Тимур",   "Устим",    "Харитон", "Юхим",     "Нестор",   "Зенон",     "Єфрем",
    "Демид",   "Корній",   "Веніамін", "Олесь",   "Панас",    "Гнат",      "Клим",
    "Трохим",  "Охрім",    "Прокіп",  "Антип",    "Север",    "Любомир",   "Радим",
};
inline constexpr std::string_view kSlavicFemaleMore[] = {
    "Алла",    "Аліна",    "Богдана",  "Валентина", "Валерія",  "Віра",     "Дарина",
    "Діана",   "Євгенія",  "Єлизавета", "Жанна",    "Зоя",      "Зоряна",   "Інна",
    "Кіра",    "Лариса",   "Леся",     "Лідія",     "Лілія",    "Марина",   "Мілана",
    "Надія",   "Ніна",     "Олександра", "Поліна",  "Раїса",    "Роксолана", "Руслана",
    "Соломія", "Стефанія", "Таїсія",   "Уляна",     "Христина", "Яна",      "Ярина",
    "Василина", "Віталіна", "Злата",   "Ліна",      "Антоніна", "Вероніка", "Зінаїда",
    "Емілія",  "Луїза",    "Марта",    "Орися",     "Устина",   "Ївга",     "Фросина",
};
// Old Slavic compounds: prefix + "слав"/"мир" (Ярослав, Ярослава,
// Любомир, Любомира).
inline constexpr std::string_view kSlavicCompoundPrefixes[] = {
    "Яро", "Свято", "Миро", "Бори", "Влади", "Стані", "Радо", "Добро", "Бого", "Броні", "Мсти",
    "Вели",
};
inline constexpr std::string_view kSlavicCompoundEndings[] = {"слав", "мир"};

// Stems of Ukrainian family names, combined with the endings below
// (Бондар: Бондаренко, Бондарчук, Бондарук, Бондарюк, Бондаряк, Бондарів,
// Бондарський/Бондарська, Бондаров/Бондарова).
inline constexpr std::string_view kSlavicFamilyStems[] = {
    "Бондар", "Ткач",   "Шевч",   "Кравч",  "Ковал",   "Гончар", "Кушнір", "Козач", "Лис",
    "Руд",    "Марч",   "Харч",   "Литвин", "Павл",    "Петр",   "Іван",   "Мирон", "Остап",
    "Гаврил", "Данил",  "Кирил",  "Семен",  "Степан",  "Тимош",  "Юрч",    "Гриц",  "Дорош",
    "Демч",   "Ляш",    "Тарас",  "Назар",  "Кост",    "Карп",   "Клим",   "Мартин", "Пилип",
    "Прокоп", "Сидор",  "Вовк",   "Ведмед", "Сокол",   "Голуб",  "Ворон",  "Мороз", "Чорн",
    "Сір",    "Зелен",  "Дяч",    "Пономар", "Паламар", "Олійнич", "Мельнич", "Кобзар", "Чумач",
    "Борщ",   "Сахн",   "Гнат",   "Ярош",   "Панас",   "Лавр",   "Бабич",  "Бут",   "Гуд",
    "Дзюб",   "Жур",    "Зубр",   "Кисел",  "Кравц",   "Лем",    "Мак",    "Нагор", "Осад",
    "Підгор", "Рибал",  "Савч",   "Тесл",   "Федор",   "Хомич",  "Цимбал", "Шаповал", "Щерб",
    "Юхим",   "Яковл",  "Андрущ", "Бережн", "Верб",    "Горб",    "Дац", "Єрем",  "Жовт",
    "Заруб",  "Кухар",  "Лагод",  "Мазур",  "Нос",   "Оліфір", "Пасіч",  "Рож", "Сем",
    "Тур",    "Устим",  "Філон",  "Хвост",  "Цибул",   "Чуприн", "Шуст",   "Яцен",  "Гайов",
};
// Masculine and feminine endings of Ukrainian family names, in Cyrillic.
struct SlavicEnding {
  std::string_view male;
  std::string_view female;
};
inline constexpr SlavicEnding kSlavicFamilyEndings[] = {
    {"енко", "енко"}, {"чук", "чук"}, {"ук", "ук"},         {"юк", "юк"},
    {"як", "як"},     {"ів", "ів"},   {"ський", "ська"}, {"ов", "ова"},
};

// More Ethiopian given names, and the parts of compounds: a prefix meaning
// "servant of", "son of", "power of", ... and a holy name (ገብረመድኅን,
// Gebremedhin; ኃይለሥላሴ, Haileselassie).
inline constexpr Name kEthiopianMaleMore[] = {
    {"አማኑኤል", "Amanuel"},  {"ብሩክ", "Biruk"},     {"ዮናስ", "Yonas"},     {"ኢዮብ", "Eyob"},
    {"ናትናኤል", "Natnael"},  {"ሚካኤል", "Mikael"},  {"ያሬድ", "Yared"},     {"ቴዎድሮስ", "Tewodros"},
    {"ሄኖክ", "Henok"},      {"ፋሲል", "Fasil"},     {"አሸናፊ", "Ashenafi"}, {"ወንድሙ", "Wondimu"},
    {"ሽመልስ", "Shimelis"},  {"ታምራት", "Tamrat"},  {"መንግሥቱ", "Mengistu"}, {"ካሳ", "Kassa"},
    {"ደመቀ", "Demeke"},     {"ሙላቱ", "Mulatu"},    {"ንጉሤ", "Niguse"},    {"ጥላሁን", "Tilahun"},
    {"አብርሃም", "Abraham"},  {"ኃይሉ", "Hailu"},     {"ፀጋዬ", "Tsegaye"},   {"ለማ", "Lemma"},
    {"ወርቁ", "Worku"},      {"አሰፋ", "Assefa"},    {"ገዛኸኝ", "Gezahegn"}, {"መኮንን", "Mekonnen"},
    {"እንዳለ", "Endale"},    {"ተፈራ", "Tefera"},    {"በላይ", "Belay"},     {"ደሳለኝ", "Desalegn"},
    {"ሲሳይ", "Sisay"},      {"አዲሱ", "Addisu"},    {"ተሾመ", "Teshome"},   {"ጌትነት", "Getnet"},
};
inline constexpr Name kEthiopianCompoundPrefixes[] = {
    {"ገብረ", "Gebre"}, {"ወልደ", "Wolde"}, {"ኃይለ", "Haile"}, {"ተክለ", "Tekle"}, {"ሀብተ", "Habte"},
    {"ኪዳነ", "Kidane"}, {"ፍቅረ", "Fikre"}, {"ተስፋ", "Tesfa"}, {"ብርሃነ", "Birhane"},
};
inline constexpr Name kEthiopianCompoundNames[] = {
    {"ማርያም", "mariam"},   {"ሥላሴ", "selassie"}, {"ሚካኤል", "mikael"},   {"ጊዮርጊስ", "giorgis"},
    {"የሱስ", "yesus"},      {"መድኅን", "medhin"},  {"ጻድቅ", "tsadik"},    {"ሕይወት", "hiwot"},
    {"ሃይማኖት", "haimanot"}, {"ክርስቶስ", "kristos"}, {"ገብርኤል", "gabriel"}, {"ዮሐንስ", "yohannes"},
    {"እግዚአብሔር", "egziabher"}, {"ኪዳን", "kidan"},
};

inline constexpr Name kEthiopianFemaleMore[] = {
    {"ሜሮን", "Meron"},     {"ቅድስት", "Kidist"},    {"ሐና", "Hanna"},      {"ኤደን", "Eden"},
    {"ብሌን", "Bilen"},     {"ናርዶስ", "Nardos"},    {"ሶፊያ", "Sofia"},     {"ማህሌት", "Mahlet"},
    {"ሰናይት", "Senait"},   {"ቤዛዊት", "Bezawit"},   {"ዮርዳኖስ", "Yordanos"}, {"ኤልሳ", "Elsa"},
    {"ትንሣኤ", "Tinsae"},   {"ገነት", "Genet"},      {"ፍቅርተ", "Fikirte"},  {"ሰላማዊት", "Selamawit"},
    {"ሳባ", "Saba"},       {"ዓይናለም", "Aynalem"},  {"አዜብ", "Azeb"},      {"ጽጌ", "Tsige"},
    {"አስናቀች", "Asnakech"}, {"ፍሬሕይወት", "Frehiwot"}, {"ሊዲያ", "Lidia"},   {"ሰሚራ", "Semira"},
    {"ኤልሻዳይ", "Elshaday"}, {"ቃልኪዳን", "Kalkidan"}, {"ሉሊት", "Lulit"},    {"ትዝታ", "Tizita"},
};
// Female compounds: a root + "-nesh"/"-work" (ጥሩነሽ, Tirunesh; ሙሉወርቅ,
// Muluwork), and "Welete" + a holy name (ወለተማርያም, Weletemariam).
inline constexpr Name kEthiopianFemaleRoots[] = {
    {"ዓለም", "Alem"},  {"ፀሐይ", "Tsehay"}, {"የሺ", "Yeshi"},   {"ብርሃን", "Birhan"},
    {"ጥሩ", "Tiru"},   {"ሙሉ", "Mulu"},     {"ደስታ", "Desta"},  {"አበባ", "Abeba"},
    {"ወይን", "Weyn"},  {"ዘውድ", "Zewd"},   {"ጌጤ", "Gete"},    {"እቴ", "Ete"},
    {"ፋና", "Fana"},   {"ሰብለ", "Seble"},  {"ትርፌ", "Tirfe"},  {"አምሳ", "Amsa"},
};
inline constexpr Name kEthiopianFemaleEndings[] = {{"ነሽ", "nesh"}, {"ወርቅ", "work"}};
inline constexpr Name kEthiopianWelete = {"ወለተ", "Welete"};

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
