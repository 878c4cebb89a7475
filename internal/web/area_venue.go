package web

import (
	"net/http"

	"ggzy/internal/auth"
)

// The venue area (场地预约): its API routes, pages and workbench cards.
// Handlers are in api_venue.go and pages_venue.go.

func (s *Server) venueRoutes() []route {
	return []route{
		{"GET", "/api/v1/rooms", auth.ReadVenues, "场地列表（开标厅、评标室、远程异地评标席位）", s.apiRooms},
		{"POST", "/api/v1/rooms", auth.ManageRooms, "新增场地（本中心工作人员）", s.apiCreateRoom},
		{"GET", "/api/v1/rooms/{id}", auth.ReadVenues, "场地详情", s.apiRoom},
		{"PUT", "/api/v1/rooms/{id}", auth.ManageRooms, "修改、停用或启用场地", s.apiUpdateRoom},
		{"GET", "/api/v1/rooms/{id}/calendar", auth.ReadVenues, "单个场地的周日历", s.apiRoomCalendar},
		{"GET", "/api/v1/rooms/{id}/reserved-slots", auth.ReadVenues, "场地的绿色通道每周预留时段", s.apiReservations},
		{"POST", "/api/v1/rooms/{id}/reserved-slots", auth.ManageRooms, "新增绿色通道每周预留时段", s.apiReserve},
		{"DELETE", "/api/v1/rooms/{id}/reserved-slots/{slot}", auth.ManageRooms, "删除绿色通道预留时段", s.apiUnreserve},
		{"GET", "/api/v1/bookings", auth.ReadVenues, "场地预约列表（本人项目或本辖区）", s.apiBookings},
		{"POST", "/api/v1/bookings", auth.BookVenue, "预约开标或评标场地", s.apiBook},
		{"GET", "/api/v1/bookings/{id}", auth.ReadVenues, "场地预约详情", s.apiBooking},
		{"POST", "/api/v1/bookings/{id}/cancel", auth.BookVenue, "取消场地预约（须说明原因）", s.apiCancelBooking},
		{"GET", "/api/v1/centres/{code}/calendar", auth.ReadVenues, "交易中心场地周日历", s.apiCentreCalendar},
	}
}

func (s *Server) venuePages(mux *http.ServeMux) {
	mux.Handle("GET /workbench/venues", s.page(s.venueCalendarPage))
	mux.Handle("GET /workbench/venues/rooms", s.page(s.venueRoomsPage))
	mux.Handle("POST /workbench/venues/rooms", s.page(s.venueRoomCreate))
	mux.Handle("GET /workbench/venues/rooms/{id}", s.page(s.venueRoomPage))
	mux.Handle("POST /workbench/venues/rooms/{id}", s.page(s.venueRoomUpdate))
	mux.Handle("POST /workbench/venues/rooms/{id}/reserved-slots", s.page(s.venueReserve))
	mux.Handle("POST /workbench/venues/rooms/{id}/reserved-slots/{slot}/delete", s.page(s.venueUnreserve))
	mux.Handle("GET /workbench/venues/book", s.page(s.venueBookPage))
	mux.Handle("POST /workbench/venues/bookings", s.page(s.venueBook))
	mux.Handle("POST /workbench/venues/bookings/{id}/cancel", s.page(s.venueCancel))
}

func venueCards(a auth.Actor) []card {
	var cs []card
	if auth.Can(a.Role, auth.ManageRooms) {
		cs = append(cs, card{"场地管理", "维护本中心的开标厅、评标室和远程异地评标席位，设置绿色通道每周预留时段", "/workbench/venues/rooms"})
	}
	if auth.Can(a.Role, auth.BookVenue) {
		cs = append(cs, card{"场地预约", "为项目标段预约开标、评标场地和时间，查看和取消预约", "/workbench/venues/book"})
	}
	if auth.Can(a.Role, auth.ReadVenues) {
		cs = append(cs, card{"场地日历", "按周查看各交易中心场地的预约和绿色通道预留情况", "/workbench/venues"})
	}
	return cs
}
