package sealed

import (
	"encoding/hex"
	"net"
	"os"
	"slices"
	"strings"

	"ggzy/internal/gm"
)

// Fingerprint identifies the machine a bid is sealed on: the SM3 (hex) of
// its host name and the MAC addresses of its network interfaces (loopback
// excluded, sorted). Seal records it in the signed header. It is a
// supervision signal — bids of "competing" bidders sealed on one machine
// suggest collusion (串通投标) — not a proof: it can be forged by anyone
// who writes their own sealing tool, and it changes when the network
// hardware does. The raw host name and addresses are not recorded.
func Fingerprint() string {
	host, _ := os.Hostname()
	var macs []string
	if ifs, err := net.Interfaces(); err == nil {
		for _, i := range ifs {
			if i.Flags&net.FlagLoopback == 0 && len(i.HardwareAddr) > 0 {
				macs = append(macs, i.HardwareAddr.String())
			}
		}
	}
	return fingerprintOf(host, macs)
}

// fingerprintOf is SM3("ggzy/machine/v1\n" || host || "\n" || sorted,
// de-duplicated, lower-case MACs joined by "\n"), in hex.
func fingerprintOf(host string, macs []string) string {
	m := make([]string, len(macs))
	for i, a := range macs {
		m[i] = strings.ToLower(a)
	}
	slices.Sort(m)
	m = slices.Compact(m)
	sum := gm.SM3([]byte("ggzy/machine/v1\n" + host + "\n" + strings.Join(m, "\n")))
	return hex.EncodeToString(sum[:])
}
