package portal

// NoticeKind is a notice's kind as stored in notices.kind. The notice
// service owns the values (package notice); the portal only needs their
// public names and order, so it keeps its own small table rather than
// depending on the writer's package.
type NoticeKind string

// NoticeKinds in the order the public site offers them.
var NoticeKinds = []NoticeKind{"tender", "prequalification", "amendment", "candidates", "result", "termination", "failure", "listing"}

var noticeKindLabels = map[NoticeKind]string{
	"tender": "招标（采购）公告", "prequalification": "资格预审公告", "amendment": "澄清/变更公告",
	"candidates": "中标候选人公示", "result": "中标（成交）结果公告", "termination": "终止公告", "failure": "流标公告",
	"listing": "挂牌（出让、转让）公告",
}

// Label is the kind's Chinese name.
func (k NoticeKind) Label() string { return noticeKindLabels[k] }

// Valid reports whether k is a known kind.
func (k NoticeKind) Valid() bool { _, ok := noticeKindLabels[k]; return ok }
