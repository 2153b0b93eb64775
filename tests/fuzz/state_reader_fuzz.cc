// The /api/state reader of `portwarden report --from` (the document comes from another host):
// whatever the bytes, it returns a snapshot or an error; every string it keeps is valid UTF-8,
// and every report format renders what it returns.
#include "agent/core/utf8.h"
#include "exporters/json/state_reader.h"
#include "exporters/report/audit_report.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace portwarden;
  auto read = exporters::json::ReadStateJson(fuzz::AsText(data, size));
  if (!read) {
    PORTWARDEN_FUZZ_CHECK(utf8::IsValid(read.error().message));
    return 0;
  }
  for (const auto& listener : read->snapshot.inventory->listeners) {
    PORTWARDEN_FUZZ_CHECK(utf8::IsValid(listener.process.comm));
    PORTWARDEN_FUZZ_CHECK(utf8::IsValid(listener.netns));
  }
  const exporters::report::ReportContext context;
  PORTWARDEN_FUZZ_CHECK(utf8::IsValid(exporters::report::HtmlReport(read->snapshot, context)));
  PORTWARDEN_FUZZ_CHECK(utf8::IsValid(exporters::report::CsvReport(read->snapshot, context)));
  (void)exporters::report::MarkdownReport(read->snapshot, context);
  return 0;
}
