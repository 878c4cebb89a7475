package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"ggzy/internal/ident"
)

// gen makes deterministic, valid-looking Chinese identities: the same seed
// gives the same demo every time.
type gen struct {
	r     *rand.Rand
	seen  map[string]bool
	plots map[string]int // last land plot number per region and year
}

func newGen(seed uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), seen: map[string]bool{}, plots: map[string]int{}}
}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
var givenChars = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌波辉鹏宇浩凯俊帆琳雪梅丹春晓云飞龙海峰林荣")

func (g *gen) name() string {
	n := string(surnames[g.r.IntN(len(surnames))])
	for i := 0; i < 1+g.r.IntN(2); i++ {
		n += string(givenChars[g.r.IntN(len(givenChars))])
	}
	return n
}

// idNumber makes a 身份证号 registered in region, born between 1965 and
// 1995, with a correct check digit (RULES G2), never repeated.
func (g *gen) idNumber(region string) string {
	for {
		birth := time.Date(1965+g.r.IntN(30), time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28), 0, 0, 0, 0, time.UTC)
		first17 := fmt.Sprintf("%s%s%03d", region, birth.Format("20060102"), g.r.IntN(1000))
		c, err := ident.IDCheck(first17)
		if err != nil {
			panic(err)
		}
		id := first17 + string(c)
		if !g.seen[id] {
			g.seen[id] = true
			return id
		}
	}
}

var mobilePrefixes = []string{"138", "139", "135", "136", "150", "151", "158", "187", "188", "133", "153", "180", "189", "130", "131", "186"}

func (g *gen) phone() string {
	return mobilePrefixes[g.r.IntN(len(mobilePrefixes))] + fmt.Sprintf("%08d", g.r.IntN(100000000))
}

const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCode makes a 统一社会信用代码 (RULES G1): registration authority and
// type (e.g. "91" company, "11" government body, "12" public institution),
// the region, a nine-character organisation code and the check character.
func (g *gen) creditCode(kind, region string) string {
	for {
		org := make([]byte, 9)
		for i := range org {
			org[i] = creditAlphabet[g.r.IntN(len(creditAlphabet))]
		}
		first17 := kind + region + string(org)
		c, err := ident.CreditCodeCheck(first17)
		if err != nil {
			panic(err)
		}
		code := first17 + string(c)
		if !g.seen[code] {
			g.seen[code] = true
			return code
		}
	}
}

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }
