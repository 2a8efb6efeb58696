package exchange

import "testing"

func TestDecodeNodeLink(t *testing.T) {
	tests := []decodeCase{
		{
			name: "NetworkX",
			in: `{"directed": true, "multigraph": true, "graph": {"name": "g"},
 "nodes": [
  {"id": 1, "type": "City", "name": "Enschede", "population": 160000, "location": {"lat": 52.2, "lon": 6.9}},
  {"id": "dalian", "type": "City"}
 ],
 "links": [
  {"source": 1, "target": "dalian", "key": 0, "type": "SISTER_CITY_OF", "validFrom": "2017", "weight": 2.5}
 ]}`,
			want: []string{
				`{"kind":"entity","id":"1","type":"City","name":"Enschede","labels":{},"aliases":[],"properties":{"location":{"lat":52.2,"lon":6.9},"population":160000},"sources":[]}`,
				`{"kind":"entity","id":"dalian","type":"City","name":"dalian","labels":{},"aliases":[],"properties":{},"sources":[]}`,
				`{"kind":"relation","id":"","type":"SISTER_CITY_OF","from":"1","to":"dalian","properties":{"weight":2.5},"validFrom":"2017","sources":[]}`,
			},
		},
		{
			name: "EdgesAndStringKeys",
			in:   `{"nodes":[],"edges":[{"source":"a","target":"b","key":"r1","type":"KNOWS","properties":{"type":"close"}}]}`,
			want: []string{`{"kind":"relation","id":"r1","type":"KNOWS","from":"a","to":"b","properties":{"type":"close"},"sources":[]}`},
		},
		{
			name: "Ontology",
			in:   `{"graph":{"entityTypes":[{"name":"Town","parent":"City"}],"relationTypes":[{"name":"KNOWS","symmetric":true}]},"nodes":[],"links":[]}`,
			want: []string{
				`{"kind":"entityType","name":"Town","parent":"City"}`,
				`{"kind":"relationType","name":"KNOWS","symmetric":true}`,
			},
		},
	}
	testDecodes(t, "g.json", JSON, tests)
}

func TestDecodeNodeLinkErrors(t *testing.T) {
	tests := []decodeErrorCase{
		{"MissingType", "{\"nodes\": [\n {\"id\": \"a\", \"type\": \"City\"},\n {\"id\": \"b\"}\n]}", `g.json:3: nodes[1].type: missing entity type for "b"`},
		{"MissingLinkType", "{\"nodes\": [],\n\"links\": [{\"source\": \"a\", \"target\": \"b\"}]}", `g.json:2: links[0].type: missing relation type`},
		{"BadDate", "{\"nodes\": [\n{\"id\": \"a\", \"type\": \"City\", \"validTo\": \"July 2017\"}]}", `g.json:2: nodes[0].validTo: invalid date "July 2017"`},
		{"BadAttribute", "{\"nodes\": [\n{\"id\": \"a\", \"type\": \"City\", \"pos\": {\"x\": 1}}]}", `g.json:2: nodes[0].pos: object values must be`},
		{"UnknownMember", "{\"nodes\": [],\n \"vertices\": []}", `g.json:2: vertices: unknown member of a node-link document`},
		{"Truncated", "{\"nodes\": [\n{\"id\": \"a\", \"type\": \"City\"},\n{\"id\": \"b\", \"ty", `g.json:3: unexpected end of input (truncated file?)`},
		{"Syntax", "{\"nodes\": [\n{\"id\": \"a\" \"type\": \"City\"}]}", `g.json:2: invalid JSON: invalid character '"' after object key:value pair`},
		{"InvalidUTF8", "{\"nodes\": [\n{\"id\": \"a\", \"type\": \"City\"},\n{\"id\": \"b\xff\", \"type\": \"City\"}]}", `g.json:3: invalid UTF-8 at byte 51`},
		{"NotAnObject", `[1]`, `g.json:1: want a node-link object, got [`},
		{"Trailing", `{"nodes":[]} {}`, `g.json:1: data after the end of the document`},
	}
	testDecodeErrors(t, "g.json", JSON, tests)
}

func TestDecodeCSV(t *testing.T) {
	tests := []decodeCase{
		{
			name: "Nodes",
			in: "\ufeffid:ID(City),:LABEL,name,population:int,area:float,capital:boolean,founded:date,location:point,tags:string[],validFrom:date,labels,aliases,properties.name\n" +
				`enschede,City;Place,Enschede,160000,142.7,false,1325,"{latitude:52.2225, longitude:6.8925}",twente;textile,1325,"{""zh"":""恩斯赫德""}",Enschee,the name` + "\n" +
				"dalian,City,,,,,,,,,,,\n",
			want: []string{
				`{"kind":"entity","id":"enschede","type":"City","name":"Enschede","labels":{"zh":"恩斯赫德"},"aliases":["Enschee"],"properties":{"area":142.7,"capital":false,"founded":{"date":"1325"},"location":{"lat":52.2225,"lon":6.8925},"name":"the name","population":160000,"tags":["twente","textile"]},"validFrom":"1325","sources":[]}`,
				`{"kind":"entity","id":"dalian","type":"City","name":"dalian","labels":{},"aliases":[],"properties":{},"sources":[]}`,
			},
		},
		{
			name: "Relationships",
			in: ":START_ID,:END_ID,:TYPE,id,validFrom:date,since:int,sources\n" +
				`enschede,dalian,SISTER_CITY_OF,r1,2017,2017,"[{""document"":""report"",""confidence"":1}]"` + "\n",
			want: []string{`{"kind":"relation","id":"r1","type":"SISTER_CITY_OF","from":"enschede","to":"dalian","properties":{"since":2017},"validFrom":"2017","sources":[{"document":"report","confidence":1}]}`},
		},
		{
			name: "Simple",
			in: "from,to,type,validFrom,validTo,fromType,fromName,toType,toName,note\n" +
				"enschede,dalian,FRIENDLY_COOPERATIVE_CITY_OF,2009,2017,City,Enschede,City,Dalian,first stage\n" +
				"enschede,palo-alto,SISTER_CITY_OF,,,City,Enschede,City,Palo Alto,\n" +
				"enschede,dalian,SISTER_CITY_OF,2017,,,,,,\n",
			want: []string{
				`{"kind":"entity","id":"enschede","type":"City","name":"Enschede","labels":{},"aliases":[],"properties":{},"sources":[]}`,
				`{"kind":"entity","id":"dalian","type":"City","name":"Dalian","labels":{},"aliases":[],"properties":{},"sources":[]}`,
				`{"kind":"relation","id":"","type":"FRIENDLY_COOPERATIVE_CITY_OF","from":"enschede","to":"dalian","properties":{"note":"first stage"},"validFrom":"2009","validTo":"2017","sources":[]}`,
				`{"kind":"entity","id":"palo-alto","type":"City","name":"Palo Alto","labels":{},"aliases":[],"properties":{},"sources":[]}`,
				`{"kind":"relation","id":"","type":"SISTER_CITY_OF","from":"enschede","to":"palo-alto","properties":{},"sources":[]}`,
				`{"kind":"relation","id":"","type":"SISTER_CITY_OF","from":"enschede","to":"dalian","properties":{},"validFrom":"2017","sources":[]}`,
			},
		},
		{
			// Real lists spell one city two ways; the last row wins, as
			// in every other format, instead of the first silently.
			name: "SimpleRenamed",
			in: "from,to,type,fromType,fromName,toType,toName\n" +
				"nahun,san-jose,MAYOR_OF,Person,Nahun,City,San Jose\n" +
				"mirsa,san-jose,MAYOR_OF,Person,Mirsa,City,San Jose\n" +
				"mirsa,san-jose,MAYOR_OF,Person,Mirsa,Municipality,San José\n",
			want: []string{
				`{"kind":"entity","id":"nahun","type":"Person","name":"Nahun","labels":{},"aliases":[],"properties":{},"sources":[]}`,
				`{"kind":"entity","id":"san-jose","type":"City","name":"San Jose","labels":{},"aliases":[],"properties":{},"sources":[]}`,
				`{"kind":"relation","id":"","type":"MAYOR_OF","from":"nahun","to":"san-jose","properties":{},"sources":[]}`,
				`{"kind":"entity","id":"mirsa","type":"Person","name":"Mirsa","labels":{},"aliases":[],"properties":{},"sources":[]}`,
				`{"kind":"relation","id":"","type":"MAYOR_OF","from":"mirsa","to":"san-jose","properties":{},"sources":[]}`,
				`{"kind":"entity","id":"san-jose","type":"Municipality","name":"San José","labels":{},"aliases":[],"properties":{},"sources":[]}`,
				`{"kind":"relation","id":"","type":"MAYOR_OF","from":"mirsa","to":"san-jose","properties":{},"sources":[]}`,
			},
		},
		{
			name: "SimpleMinimal",
			in:   "From,To,Type\r\na,b,KNOWS\r\n",
			want: []string{`{"kind":"relation","id":"","type":"KNOWS","from":"a","to":"b","properties":{},"sources":[]}`},
		},
	}
	testDecodes(t, "f.csv", CSV, tests)
}

func TestDecodeCSVErrors(t *testing.T) {
	tests := []decodeErrorCase{
		{"BadInt", "id:ID,:LABEL,population:int\na,City,1\nb,City,many\n", `f.csv:3: population:int: column 3: "many" is not an integer`},
		{"BadDate", "id:ID,:LABEL,validFrom:date\na,City,2017-02-30\n", `f.csv:2: validFrom:date: column 3: invalid date "2017-02-30"`},
		{"MissingLabelColumn", "id:ID,name\na,A\n", `f.csv:2: id:ID: column 1: missing entity type: the header has no :LABEL column`},
		{"MissingLabel", "id:ID,:LABEL\na,\n", `f.csv:2: :LABEL: column 2: missing entity type for "a"`},
		{"MissingEnd", ":START_ID,:TYPE\na,KNOWS\n", `f.csv:1: :END_ID: relationships header lacks a :END_ID column`},
		{"EmptyEnd", ":START_ID,:END_ID,:TYPE\na,,KNOWS\n", `f.csv:2: :END_ID: column 2: missing`},
		{"NoMode", "a,b,c\n1,2,3\n", `f.csv:1: from: header lacks a "from" column`},
		{"TooManyCells", "from,to,type\na,b,KNOWS,extra\n", `f.csv:2: column 4: row has 4 cells, the header 3`},
		{"NameWithoutType", "from,to,type,fromName\na,b,KNOWS,A\n", `f.csv:2: fromName: column 4: missing entity type for "a": fill the fromType column too`},
		{"BadPoint", "id:ID,:LABEL,at:point\na,City,52.2 6.9\n", `f.csv:2: at:point: column 3: "52.2 6.9" is not a point`},
		{"BadQuote", "from,to,type\na,\"b,KNOWS\n", `f.csv:2: column 12: extraneous or missing " in quoted-field`},
		{"BareQuote", "from,to,type\na,b\"c,KNOWS\n", `f.csv:2: column 4: bare " in non-quoted-field`},
		{"InvalidUTF8", "from,to,type\na,b,KNOWS\nc,d\xff,KNOWS\n", `f.csv:3: invalid UTF-8 at byte 27`},
		{"Empty", "", `f.csv:1: empty file: want a header row`},
		{"BadSources", ":START_ID,:END_ID,:TYPE,sources\na,b,T,[{]\n", `f.csv:2: sources: column 4: want a JSON array of sources`},
	}
	testDecodeErrors(t, "f.csv", CSV, tests)
}

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		name string
		want Format
	}{
		{"dump.ndjson", NDJSON}, {"dump.jsonl.gz", NDJSON}, {"graph.JSON", JSON},
		{"nodes.csv.gz", CSV}, {"g.graphml", GraphML}, {"dir/x.gexf", GEXF}, {"a.gv", DOT},
		{"data.txt", ""}, {"noext", ""}, {"archive.gz", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DetectFormat(tt.name)
			if got != tt.want {
				t.Errorf("DetectFormat(%q): got %q, want %q", tt.name, got, tt.want)
			}
			if (err != nil) != (tt.want == "") {
				t.Errorf("DetectFormat(%q): error %v", tt.name, err)
			}
		})
	}
}
