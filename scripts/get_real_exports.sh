#!/usr/bin/env bash
# Download the large real exports of docs/real_exports.md into DIR (default /work/real),
# at the commits the tests were written against. Not needed for `make test`: the tests
# that read them skip where they are absent.
set -euo pipefail
DIR="${1:-${SURVEY_LARGE_EXPORTS:-/work/real}}"
RAW=https://raw.githubusercontent.com
get() {  # repo commit path target
    mkdir -p "$DIR/$(dirname "$4")"
    curl -fsSL "$RAW/$1/$2/$(printf '%s' "$3" | sed 's/ /%20/g')" -o "$DIR/$4"
    echo "$DIR/$4"
}
FCC=freeCodeCamp/2016-new-coder-survey; FCC_AT=c7eaf6b3da8e874e94d71960b6812a3e0ced0704
RCS=rstudio/r-community-survey; RCS_AT=ef1ac44a1c5e88dc09562f5c728d0bdae584503b
TDV=anesta95/Working_with_Tidyverse; TDV_AT=ad98f067568f500cd5bfdbf5805e17ec01ac7e89
get $FCC $FCC_AT "raw-data/2016 New Coders Survey Part 1.csv" fcc2016/part1.csv
get $RCS $RCS_AT "2018/data/Learning R Internet Survey - Form Responses 1.tsv" rcs/rcs2018_en.tsv
get $RCS $RCS_AT "2019/data/2019 English R Community Survey Responses.tsv" rcs/rcs2019_en.tsv
get $RCS $RCS_AT "2019/data/survey-questions-2019-en.csv" rcs/rcs2019_questions.csv
get $TDV $TDV_AT multiple_choice_responses.csv kaggle2017/mcr_subset.csv
get $TDV $TDV_AT flying_etiquette.csv fte/flying_etiquette.csv
echo "the Stack Overflow 2023 head (so/) is cut by hand from survey.stackoverflow.co's zip: see docs/real_exports.md"
