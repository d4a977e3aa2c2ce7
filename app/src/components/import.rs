//! "Import": an OTLP/JSON file (a Loupe export, or any OTLP/JSON export) uploaded
//! from the browser to this Loupe's own OTLP endpoints, so it takes the same path,
//! limits and checks as any exporter's spans; a Loupe export's log records
//! (`resourceLogs`) go to `/v1/logs`. Plain JS: works before hydration.

use leptos::prelude::*;

const UPLOAD: &str = "const f=this.files[0],s=this.closest('.import').querySelector('.import-status');if(!f)return;\
s.dataset.state='busy';s.textContent='Importing '+f.name+'…';\
const post=(u,b)=>fetch(u,{method:'POST',headers:{'content-type':'application/json'},body:b}).then(async r=>{\
const t=await r.text();let j={};try{j=JSON.parse(t)}catch(e){}return {r,t,j}});\
f.text().then(async text=>{let doc={};try{doc=JSON.parse(text)}catch(e){}\
const logs=Array.isArray(doc.resourceLogs)?doc.resourceLogs:null,steps=[];\
if(doc.resourceSpans||!logs)steps.push(['/v1/traces',text,'spans']);\
if(logs)steps.push(['/v1/logs',JSON.stringify({resourceLogs:logs}),'log records']);\
for(const [u,b,what] of steps){const {r,t,j}=await post(u,b);const p=j.partialSuccess||j.partial_success;\
if(!r.ok){s.dataset.state='error';s.textContent='Import failed ('+r.status+'): '+(j.message||t);return}\
if(p&&(p.rejectedSpans||p.rejected_spans||p.rejectedLogRecords||p.rejected_log_records)){\
s.dataset.state='error';s.textContent='Imported '+f.name+'; some '+what+' were rejected: '+(p.errorMessage||p.error_message);return}}\
s.dataset.state='ok';s.textContent='Imported '+f.name+'.'}).catch(e=>{s.dataset.state='error';s.textContent='Import failed: '+e});this.value=''";

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
