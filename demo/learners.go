package demo

import (
	"fmt"
	"math/rand/v2"

	"talentloop"
)

// LearnerCount is the number of generated demo learners, besides the
// learner@demo.test account.
const LearnerCount = 240

// learnerSeed fixes the generated learners: the same names every time.
const learnerSeed = 20220107

// Family names, most common first; the earlier ones are drawn more often.
var familyNames = []string{
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
	"徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
	"郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
	"彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
	"余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈",
	"姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
	"石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟",
	"熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
	"龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵",
	"万", "钱", "严", "覃", "武", "戴", "莫", "孔", "向", "欧阳",
}

// Given names, one or two characters.
var givenNames = []string{
	"伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰",
	"涛", "明", "超", "霞", "平", "刚", "婷", "鑫", "宇", "晨",
	"子轩", "浩然", "梓涵", "欣怡", "一诺", "思远", "雨桐", "俊杰", "佳怡", "宇航",
	"诗涵", "子墨", "若曦", "嘉豪", "梦瑶", "志强", "晓东", "丽娟", "海燕", "建华",
	"文博", "天佑", "可馨", "语嫣", "皓轩", "思琪", "明轩", "雅琴", "家乐", "靖雯",
	"晓峰", "春燕", "国栋", "慧敏", "振宇", "晓彤", "宏伟", "秋月", "立新", "嘉怡",
	"昊天", "若彤", "书瑶", "子豪", "雪莹", "凯文", "梓萱", "博文", "思雨", "鹏飞",
	"佳琪", "俊熙", "晓琳", "泽宇", "安琪", "宇轩", "紫薇", "晨阳", "雨萱", "文静",
	"浩宇", "梦琪", "志远", "婉清", "铭泽", "晓婷", "一鸣", "欣妍", "睿", "悦",
}

// English first names of the few learners who prefer English.
var englishNames = []string{"Lucas", "Emma", "Kevin", "Grace", "Daniel", "Chloe", "Ryan", "Iris", "Leo", "Vivian", "Eric", "Sophie"}

// Pinyin of some family names, for the English-speaking learners' names.
var familyPinyin = map[string]string{
	"王": "Wang", "李": "Li", "张": "Zhang", "刘": "Liu", "陈": "Chen", "杨": "Yang",
	"黄": "Huang", "赵": "Zhao", "吴": "Wu", "周": "Zhou", "徐": "Xu", "孙": "Sun",
	"马": "Ma", "朱": "Zhu", "胡": "Hu", "郭": "Guo", "何": "He", "高": "Gao", "林": "Lin", "罗": "Luo",
}

// Learners returns the generated demo learners: learner001@demo.test …,
// with Chinese names and mostly Chinese as their language. The list is the
// same on every call.
func Learners() []*talentloop.User {
	r := rand.New(rand.NewPCG(learnerSeed, learnerSeed>>7))
	users := make([]*talentloop.User, 0, LearnerCount)
	for i := 1; i <= LearnerCount; i++ {
		// Skewed towards the common family names: the minimum of two draws.
		family := familyNames[min(r.IntN(len(familyNames)), r.IntN(len(familyNames)))]
		given := givenNames[r.IntN(len(givenNames))]
		u := &talentloop.User{
			Email: fmt.Sprintf("learner%03d@demo.test", i),
			Name:  family + given,
			Lang:  "zh",
			Roles: []talentloop.Role{talentloop.RoleLearner},
			Demo:  true,
		}
		if r.IntN(100) < 6 { // a few prefer English
			u.Lang = "en"
			if py, ok := familyPinyin[family]; ok {
				u.Name = englishNames[r.IntN(len(englishNames))] + " " + py
			}
		}
		users = append(users, u)
	}
	return users
}
