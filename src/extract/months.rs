//! Month names as pages write them, per language: a data table, one line per language, each
//! month's forms separated by `|` (nominative, genitive, abbreviations), months by `,`. Read once
//! into a lookup; a new language or form is an edit of a line.

use std::collections::HashMap;
use std::sync::OnceLock;

/// `(language, "january|jan,february|feb,…")`. Forms are lower case; a trailing `.` on a page's
/// abbreviation is ignored.
const MONTH_NAMES: &[(&str, &str)] = &[
    (
        "en",
        "january|jan,february|feb,march|mar,april|apr,may,june|jun,july|jul,august|aug,september|sep|sept,october|oct,november|nov,december|dec",
    ),
    (
        "fr",
        "janvier|janv,février|fevrier|févr|fevr|fév,mars,avril|avr,mai,juin,juillet|juil,août|aout,septembre|sept,octobre|oct,novembre|nov,décembre|decembre|déc|dec",
    ),
    (
        "de",
        "januar|jänner|jan,februar|feber|feb,märz|maerz|mär|mrz,april|apr,mai,juni|jun,juli|jul,august|aug,september|sep|sept,oktober|okt,november|nov,dezember|dez",
    ),
    (
        "es",
        "enero|ene,febrero|feb,marzo|mar,abril|abr,mayo|may,junio|jun,julio|jul,agosto|ago,septiembre|setiembre|sept|sep|set,octubre|oct,noviembre|nov,diciembre|dic",
    ),
    (
        "pt",
        "janeiro|jan,fevereiro|fev,março|marco|mar,abril|abr,maio|mai,junho|jun,julho|jul,agosto|ago,setembro|set,outubro|out,novembro|nov,dezembro|dez",
    ),
    (
        "it",
        "gennaio|gen,febbraio|feb,marzo|mar,aprile|apr,maggio|mag,giugno|giu,luglio|lug,agosto|ago,settembre|set,ottobre|ott,novembre|nov,dicembre|dic",
    ),
    (
        "nl",
        "januari|jan,februari|feb,maart|mrt,april|apr,mei,juni|jun,juli|jul,augustus|aug,september|sep|sept,oktober|okt,november|nov,december|dec",
    ),
    (
        "sv",
        "januari|jan,februari|feb,mars|mar,april|apr,maj,juni|jun,juli|jul,augusti|aug,september|sep|sept,oktober|okt,november|nov,december|dec",
    ),
    (
        "da",
        "januar|jan,februar|feb,marts|mar,april|apr,maj,juni|jun,juli|jul,august|aug,september|sep|sept,oktober|okt,november|nov,december|dec",
    ),
    (
        "nb",
        "januar|jan,februar|feb,mars|mar,april|apr,mai,juni|jun,juli|jul,august|aug,september|sep|sept,oktober|okt,november|nov,desember|des",
    ),
    (
        "fi",
        "tammikuuta|tammikuu|tammik,helmikuuta|helmikuu|helmik,maaliskuuta|maaliskuu|maalisk,huhtikuuta|huhtikuu|huhtik,toukokuuta|toukokuu|toukok,kesäkuuta|kesäkuu|kesäk,heinäkuuta|heinäkuu|heinäk,elokuuta|elokuu|elok,syyskuuta|syyskuu|syysk,lokakuuta|lokakuu|lokak,marraskuuta|marraskuu|marrask,joulukuuta|joulukuu|jouluk",
    ),
    (
        "pl",
        "stycznia|styczeń|sty,lutego|luty|lut,marca|marzec|mar,kwietnia|kwiecień|kwi,maja|maj,czerwca|czerwiec|cze,lipca|lipiec|lip,sierpnia|sierpień|sie,września|wrzesień|wrz,października|październik|paź,listopada|listopad|lis,grudnia|grudzień|gru",
    ),
    (
        "cs",
        "ledna|leden|led,února|únor|úno,března|březen|bře,dubna|duben|dub,května|květen|kvě,června|červen|čvn,července|červenec|čvc,srpna|srpen|srp,září|zář,října|říjen|říj,listopadu|listopad|lis,prosince|prosinec|pro",
    ),
    (
        "ro",
        "ianuarie|ian,februarie|feb,martie|mar,aprilie|apr,mai,iunie|iun,iulie|iul,august|aug,septembrie|sep|sept,octombrie|oct,noiembrie|noi,decembrie|dec",
    ),
    (
        "hu",
        "január|jan,február|febr|feb,március|márc|mar,április|ápr,május|máj,június|jún,július|júl,augusztus|aug,szeptember|szept,október|okt,november|nov,december|dec",
    ),
    (
        "tr",
        "ocak|oca,şubat|şub,mart|mar,nisan|nis,mayıs|may,haziran|haz,temmuz|tem,ağustos|ağu,eylül|eyl,ekim|eki,kasım|kas,aralık|ara",
    ),
    (
        "id",
        "januari|jan,februari|feb,maret|mar,april|apr,mei,juni|jun,juli|jul,agustus|agu|agt,september|sep|sept,oktober|okt,november|nov,desember|des",
    ),
    (
        "ru",
        "января|январь|янв,февраля|февраль|фев,марта|март|мар,апреля|апрель|апр,мая|май,июня|июнь|июн,июля|июль|июл,августа|август|авг,сентября|сентябрь|сен|сент,октября|октябрь|окт,ноября|ноябрь|ноя,декабря|декабрь|дек",
    ),
    (
        "uk",
        "січня|січень|січ,лютого|лютий|лют,березня|березень|бер,квітня|квітень|квіт,травня|травень|трав,червня|червень|черв,липня|липень|лип,серпня|серпень|серп,вересня|вересень|вер,жовтня|жовтень|жовт,листопада|листопад|лист,грудня|грудень|груд",
    ),
    (
        "el",
        "ιανουαρίου|ιανουάριος|ιαν,φεβρουαρίου|φεβρουάριος|φεβ,μαρτίου|μάρτιος|μαρ,απριλίου|απρίλιος|απρ,μαΐου|μαΐου|μάιος|μαΐ|μαι,ιουνίου|ιούνιος|ιουν,ιουλίου|ιούλιος|ιουλ,αυγούστου|αύγουστος|αυγ,σεπτεμβρίου|σεπτέμβριος|σεπ,οκτωβρίου|οκτώβριος|οκτ,νοεμβρίου|νοέμβριος|νοε,δεκεμβρίου|δεκέμβριος|δεκ",
    ),
    (
        "ar",
        "يناير|كانون الثاني,فبراير|شباط,مارس|آذار,أبريل|ابريل|نيسان,مايو|أيار,يونيو|حزيران,يوليو|تموز,أغسطس|اغسطس|آب,سبتمبر|أيلول,أكتوبر|اكتوبر|تشرين الأول,نوفمبر|تشرين الثاني,ديسمبر|كانون الأول",
    ),
];

/// A month-name form → the month (1–12) in each language that writes it.
type Lookup = HashMap<&'static str, Vec<(&'static str, u32)>>;

fn lookup() -> &'static Lookup {
    static LOOKUP: OnceLock<Lookup> = OnceLock::new();
    LOOKUP.get_or_init(|| {
        let mut map: Lookup = HashMap::new();
        for (lang, months) in MONTH_NAMES {
            for (index, forms) in months.split(',').enumerate() {
                let month = u32::try_from(index + 1).unwrap_or(0);
                for form in forms.split('|') {
                    map.entry(form).or_default().push((lang, month));
                }
            }
        }
        map
    })
}

/// The month `word` (lower case) names: in `lang` when given and it writes the word, else in
/// every language that writes it, when they agree.
#[must_use]
pub fn month(word: &str, lang: Option<&str>) -> Option<u32> {
    let word = word.trim_end_matches('.');
    let readings = lookup().get(word)?;
    let primary = lang.map(|l| l.split(['-', '_']).next().unwrap_or(l).to_ascii_lowercase());
    let primary = primary.map(|p| {
        if p == "no" || p == "nn" {
            "nb".to_owned()
        } else {
            p
        }
    });
    // A language the table has reads only its own names ("ago" is not a month in English).
    if let Some(p) = primary.filter(|p| MONTH_NAMES.iter().any(|(l, _)| l == p)) {
        return readings.iter().find(|(l, _)| *l == p).map(|(_, m)| *m);
    }
    let first = readings.first()?.1;
    readings.iter().all(|(_, m)| *m == first).then_some(first)
}

/// The longest number of words a month name has in the table ("كانون الثاني").
pub const MAX_NAME_WORDS: usize = 2;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_names_are_read_in_their_language_and_alone_when_unambiguous() {
        assert_eq!(month("mai", Some("fr")), Some(5));
        assert_eq!(month("oktober", None), Some(10));
        assert_eq!(month("мая", None), Some(5));
        assert_eq!(month("sept.", Some("en-GB")), Some(9));
        assert_eq!(month("ağustos", Some("tr")), Some(8));
        assert_eq!(month("μαΐου", Some("el")), Some(5));
        // "listopad" is November in Polish and Czech: agreed.
        assert_eq!(month("listopad", None), Some(11));
        assert_eq!(month("weekday", None), None);
        assert_eq!(
            month("ago", Some("en")),
            None,
            "English for past, not agosto"
        );
        assert_eq!(
            month("ago", Some("ja")),
            Some(8),
            "a language without a table reads all"
        );
    }
}
