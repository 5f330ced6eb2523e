#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 60) from small seeds cut from the bundled lists.
# Needs cargo-fuzz; on a stable toolchain: RUSTC_BOOTSTRAP=1 ./fuzz/run_all.sh 60
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
lists=../data/lists
legacy=../data/screening_eval/legacy_lists
mkdir -p corpus/{ofac,csl_csv,csl_json,dpl,un_xml,opensanctions,screen,order,ecfr_json,csl_csv_gz,mieu}
for f in ../crates/tollgate-core/tests/scenarios/*.json; do python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["order"]))' "$f" > "corpus/order/$(basename "$f")"; done
{ printf '\0'; head -c 3000 "$legacy/sdn.csv"; } > corpus/ofac/sdn
{ printf '\1'; head -c 3000 "$legacy/alt.csv"; } > corpus/ofac/alt
{ printf '\2'; head -c 3000 "$legacy/add.csv"; } > corpus/ofac/add
head -c 3500 "$legacy/csl.csv" > corpus/csl_csv/csl
head -c 3500 "$legacy/dpl.txt" > corpus/dpl/dpl
first3='import json,sys; d=json.load(open(sys.argv[1])); d["entities"]=d["entities"][:3]; d["count"]=3; print(json.dumps(d))'
{ printf '\0'; python3 -c "$first3" "$lists/entity_list.json"; } > corpus/ecfr_json/el
{ printf '\3'; python3 -c "$first3" "$lists/nscmic.json"; } > corpus/ecfr_json/cmic
python3 -c 'import gzip,sys; sys.stdout.buffer.write(gzip.compress(open(sys.argv[1],"rb").read()))' "$legacy/csl.csv" > corpus/csl_csv_gz/csl
head -c 1500 "$lists/mieu.csv" > corpus/mieu/mieu
{ head -c 3000 "$lists/UN_consolidated.xml"; printf '</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>'; } > corpus/un_xml/un
printf '%s' '{"results":[{"id":"x1","source":"Entity List (EL) - Bureau of Industry and Security","name":"Huawei Technologies Co., Ltd.","alt_names":["Huawei"],"addresses":[{"address":"Bantian","city":"Shenzhen","country":"CN"}]}],"sources_used":[{"source_last_updated":"2024-05-01"}]}' > corpus/csl_json/csl
{ printf '\0'; printf '%s\n' '{"id":"NK-1","schema":"Company","datasets":["us_ofac_sdn"],"properties":{"name":["Rosoboronexport"],"alias":["Рособоронэкспорт"],"country":["ru"]}}'; } > corpus/opensanctions/ftm
{ printf '\1'; printf 'id,schema,name,aliases,countries,addresses,dataset,last_change\nNK-1,Company,Rosoboronexport,ROE;Рособоронэкспорт,ru,Moscow,US OFAC SDN,2024-01-01\n'; } > corpus/opensanctions/simple
printf 'Huawei Technologies Co Ltd\tCN' > corpus/screen/q1
printf '华为技术有限公司' > corpus/screen/q2
for t in ofac csl_csv csl_json dpl un_xml opensanctions screen order ecfr_json csl_csv_gz mieu; do
    echo "== $t (${secs}s)"
    cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$secs" -max_len=8192 2>&1 | grep -E "^(#[0-9]+ +DONE|Done|==[0-9]+==|SUMMARY)|panicked|ERROR" || true
done
