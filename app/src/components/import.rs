//! "Import": an OTLP/JSON file (a Loupe export, or any OTLP/JSON export) uploaded
//! from the browser to this Loupe's own OTLP endpoint, so it takes the same path,
//! limits and checks as any exporter's spans. Plain JS: works before hydration.

use leptos::prelude::*;

const UPLOAD: &str = "const f=this.files[0],s=this.closest('.import').querySelector('.import-status');if(!f)return;\
s.dataset.state='busy';s.textContent='Importing '+f.name+'…';\
fetch('/v1/traces',{method:'POST',headers:{'content-type':'application/json'},body:f}).then(async r=>{\
const t=await r.text();let j={};try{j=JSON.parse(t)}catch(e){}\
const p=j.partialSuccess||j.partial_success;\
if(!r.ok){s.dataset.state='error';s.textContent='Import failed ('+r.status+'): '+((j.message)||t)}\
else if(p&&(p.rejectedSpans||p.rejected_spans)){s.dataset.state='error';s.textContent='Imported '+f.name+'; some spans were rejected: '+(p.errorMessage||p.error_message)}\
else{s.dataset.state='ok';s.textContent='Imported '+f.name+'.'}}).catch(e=>{s.dataset.state='error';s.textContent='Import failed: '+e});this.value=''";

#[component]
pub fn ImportButton() -> impl IntoView {
    view! {
        <span class="import">
            <label class="button" title="Import a trace exported from a Loupe (or any OTLP/JSON file)">
                "Import…"
                <input type="file" accept=".json,application/json" hidden onchange=UPLOAD data-testid="import-file" />
            </label>
            <span class="import-status muted" data-testid="import-status" role="status"></span>
        </span>
    }
}
