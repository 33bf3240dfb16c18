/**
 * Words that carry no topic in support messages (English and a little Spanish and Portuguese, the fleet's
 * customers' languages). Dropping them keeps retrieval scores and the confidence formula about the subject.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `the and for are but not you your yours our ours with this that these those from have has had was were will
   would could should can cannot can't don't doesn't didn't isn't i'm i've it's what when where which who whom why
   how all any each few more most other some such only own same than too very just also about into over after
   before again then once here there out off own get got make made need needs want wants please help hello
   thanks thank regards dear hey sir madam there their them they she him her his its myself yourself ourselves
   does did doing been being let may might must shall yes okay still really know like able tell says said
   one two way may per via now today yesterday tomorrow back since using use used
   que para por com los las una uno del como mas pero sus por favor hola obrigado gracias`
    .split(/\s+/)
    .filter(Boolean),
);
